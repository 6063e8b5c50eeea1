package dev.tessera.ingest.decode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * JSON-lines events for backfills: one object per line with the source schema's field names;
 * timestamps are epoch milliseconds (or microseconds for timestamp-micros fields).
 */
public final class JsonEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonEvents() {}

  /** The line as a record of {@code schema}, or a rejection naming the field and value. */
  public static Object toRecord(Schema schema, String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      return new Decoded.Rejected(RejectReason.DECODE_ERROR, "not a JSON object: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      return new Decoded.Rejected(RejectReason.DECODE_ERROR, "expected a JSON object of " + schema.getFullName());
    }
    GenericRecord record = new GenericData.Record(schema);
    for (Schema.Field f : schema.getFields()) {
      JsonNode v = node.get(f.name());
      try {
        record.put(f.name(), value(f.schema(), v));
      } catch (IllegalArgumentException e) {
        return new Decoded.Rejected(RejectReason.DECODE_ERROR, "field '" + f.name() + "': " + e.getMessage());
      }
    }
    return record;
  }

  private static Object value(Schema s, JsonNode v) {
    if (v == null || v.isNull()) {
      if (s.getType() == Schema.Type.UNION && s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL)) {
        return null;
      }
      throw new IllegalArgumentException("is missing or null, expected " + s);
    }
    return switch (s.getType()) {
      case UNION -> {
        for (Schema branch : s.getTypes()) {
          if (branch.getType() != Schema.Type.NULL) {
            yield value(branch, v);
          }
        }
        throw new IllegalArgumentException("has no non-null branch");
      }
      case STRING -> text(v);
      case ENUM -> {
        String t = text(v);
        if (!s.getEnumSymbols().contains(t)) {
          throw new IllegalArgumentException("'" + t + "' is not one of " + s.getEnumSymbols());
        }
        yield new GenericData.EnumSymbol(s, t);
      }
      case INT -> {
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
          throw new IllegalArgumentException("'" + v + "' is not an int");
        }
        yield v.intValue();
      }
      case LONG -> {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
          throw new IllegalArgumentException("'" + v + "' is not a long");
        }
        yield v.longValue();
      }
      case FLOAT, DOUBLE -> {
        if (!v.isNumber()) {
          throw new IllegalArgumentException("'" + v + "' is not a number");
        }
        yield s.getType() == Schema.Type.FLOAT ? (Object) v.floatValue() : (Object) v.doubleValue();
      }
      case BOOLEAN -> {
        if (!v.isBoolean()) {
          throw new IllegalArgumentException("'" + v + "' is not a boolean");
        }
        yield v.booleanValue();
      }
      default -> throw new IllegalArgumentException("type " + s.getType() + " is not supported in JSON lines");
    };
  }

  private static String text(JsonNode v) {
    if (!v.isTextual()) {
      throw new IllegalArgumentException("'" + v + "' is not a string");
    }
    return v.textValue();
  }
}
