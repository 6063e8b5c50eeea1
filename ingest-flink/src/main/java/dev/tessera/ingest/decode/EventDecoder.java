package dev.tessera.ingest.decode;

import dev.tessera.contracts.model.AvroEncoding;
import dev.tessera.contracts.model.EntityKey;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.contracts.model.QualityRule;
import dev.tessera.contracts.schema.SourceTypes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Decodes a source payload with the contract's schema and validates it: entity keys present,
 * event time present, every quality rule passing. Payloads are plain Avro binary, Avro
 * single-object encoding ({@code C3 01} + 8-byte CRC-64-AVRO fingerprint, which must be the
 * contract schema's), or Confluent wire format (magic byte 0 + 4-byte schema id, which must be one
 * of the configured ids when any are configured). Not thread-safe; one per task.
 */
public final class EventDecoder {
  private static final byte[] SINGLE_OBJECT_MAGIC = {(byte) 0xC3, 0x01};

  private final FeatureSetContract contract;
  private final Schema schema;
  private final AvroEncoding encoding;
  private final Set<Integer> confluentSchemaIds;
  private final long fingerprint;
  private final GenericDatumReader<GenericRecord> reader;
  private final List<Pattern> patterns;
  private final boolean micros;
  private BinaryDecoder decoder;

  /**
   * @param confluentSchemaIds the registry ids the contract's schema has (for {@code confluent}
   *     encoding); empty accepts any id
   */
  public EventDecoder(FeatureSetContract contract, Set<Integer> confluentSchemaIds) {
    this(contract, confluentSchemaIds, contract.source().encoding());
  }

  /** A decoder for another framing than the contract's (file backfills carry plain binary records). */
  public EventDecoder(FeatureSetContract contract, Set<Integer> confluentSchemaIds, AvroEncoding encoding) {
    this.contract = contract;
    this.schema = contract.source().schema();
    this.encoding = encoding;
    this.confluentSchemaIds = Set.copyOf(confluentSchemaIds);
    this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    this.reader = new GenericDatumReader<>(schema);
    this.patterns = contract.quality().stream()
        .map(r -> r instanceof QualityRule.Regex rx ? Pattern.compile(rx.pattern()) : null).toList();
    this.micros = SourceTypes.isMicros(schema.getField(contract.source().eventTime()).schema());
  }

  /** The 8-byte single-object header prefix of this contract's schema (for producers and tests). */
  public static byte[] singleObjectHeader(Schema schema) {
    ByteBuffer b = ByteBuffer.allocate(10).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put(SINGLE_OBJECT_MAGIC).putLong(SchemaNormalization.parsingFingerprint64(schema));
    return b.array();
  }

  /** Decodes and validates a payload. */
  public Decoded decode(byte[] payload) {
    Object record = decodeRecord(payload);
    return record instanceof Decoded.Rejected r ? r : validate((GenericRecord) record);
  }

  /**
   * Decodes a payload into a record of the contract's source schema (what the events archive
   * keeps: every decodable event), or a {@link Decoded.Rejected} saying why it cannot be decoded.
   */
  public Object decodeRecord(byte[] payload) {
    GenericRecord record;
    try {
      int offset = 0;
      switch (encoding) {
        case BINARY -> offset = 0;
        case SINGLE_OBJECT -> {
          if (payload.length < 10 || payload[0] != SINGLE_OBJECT_MAGIC[0] || payload[1] != SINGLE_OBJECT_MAGIC[1]) {
            return new Decoded.Rejected(RejectReason.DECODE_ERROR, "expected Avro single-object header C3 01, got " + head(payload));
          }
          long fp = ByteBuffer.wrap(payload, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
          if (fp != fingerprint) {
            return new Decoded.Rejected(RejectReason.SCHEMA_MISMATCH, "schema fingerprint " + Long.toHexString(fp)
                + " is not the contract schema's " + Long.toHexString(fingerprint));
          }
          offset = 10;
        }
        case CONFLUENT -> {
          if (payload.length < 5 || payload[0] != 0) {
            return new Decoded.Rejected(RejectReason.DECODE_ERROR, "expected Confluent wire format (magic byte 0 + schema id), got " + head(payload));
          }
          int id = ByteBuffer.wrap(payload, 1, 4).getInt();
          if (!confluentSchemaIds.isEmpty() && !confluentSchemaIds.contains(id)) {
            return new Decoded.Rejected(RejectReason.SCHEMA_MISMATCH, "schema id " + id + " is not one of the configured ids " + confluentSchemaIds);
          }
          offset = 5;
        }
      }
      decoder = DecoderFactory.get().binaryDecoder(payload, offset, payload.length - offset, decoder);
      record = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        return new Decoded.Rejected(RejectReason.DECODE_ERROR, "trailing bytes after the record: not a " + schema.getFullName());
      }
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
      return new Decoded.Rejected(RejectReason.DECODE_ERROR, "not a " + schema.getFullName() + " (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
    }
    return record;
  }

  /** Validates a decoded record (also the entry point for JSON-lines backfills). */
  public Decoded validate(GenericRecord record) {
    return validate(fields(schema, record));
  }

  /** A record's top-level fields as plain Java values (text as String), by name. */
  public static Map<String, Object> fields(Schema schema, GenericRecord record) {
    Map<String, Object> fields = new HashMap<>();
    for (Schema.Field f : schema.getFields()) {
      fields.put(f.name(), plain(record.get(f.name())));
    }
    return fields;
  }

  /**
   * Validates an event given as its fields (plain values; timestamps raw, as the source schema
   * encodes them): keys present, event time present, every quality rule passing. Replays of the
   * events archive enter here. The map is not changed.
   */
  public Decoded validate(Map<String, Object> given) {
    Map<String, Object> fields = micros ? new HashMap<>(given) : given;
    List<EntityKey> keys = contract.entity().keys();
    Object[] keyValues = new Object[keys.size()];
    for (int k = 0; k < keyValues.length; k++) {
      String field = contract.source().keys().get(keys.get(k).name());
      Object v = fields.get(field);
      if (v == null) {
        return new Decoded.Rejected(RejectReason.MISSING_KEY, "key field '" + field + "' (entity key " + keys.get(k).name() + ") is null");
      }
      keyValues[k] = keys.get(k).type() == FeatureType.STRING ? v.toString() : (Object) ((Number) v).longValue();
    }
    Object time = fields.get(contract.source().eventTime());
    if (time == null) {
      return new Decoded.Rejected(RejectReason.MISSING_EVENT_TIME, "event time field '" + contract.source().eventTime() + "' is null");
    }
    long eventTime = micros ? Math.floorDiv((Long) time, 1000) : (Long) time;
    if (micros) {
      fields.put(contract.source().eventTime(), eventTime);
    }
    for (int i = 0; i < contract.quality().size(); i++) {
      String failure = check(contract.quality().get(i), fields.get(contract.quality().get(i).field()), patterns.get(i));
      if (failure != null) {
        return new Decoded.Rejected(RejectReason.QUALITY_RULE, failure);
      }
    }
    return new Decoded.Accepted(new SourceEvent(keyValues, eventTime, fields));
  }

  private static String check(QualityRule rule, Object v, Pattern pattern) {
    String field = rule.field();
    if (rule instanceof QualityRule.NotNull) {
      return v == null ? "rule not_null on '" + field + "': the value is null" : null;
    }
    if (v == null) {
      return null;
    }
    if (rule instanceof QualityRule.Range r) {
      double d = ((Number) v).doubleValue();
      boolean ok = (r.min() == null || d >= r.min()) && (r.max() == null || d <= r.max());
      return ok ? null : "rule range on '" + field + "': " + v + " is not in [" + bound(r.min()) + ", " + bound(r.max()) + "]";
    }
    if (rule instanceof QualityRule.AcceptedValues a) {
      return a.values().contains(v.toString()) ? null
          : "rule accepted_values on '" + field + "': '" + v + "' is not one of " + a.values();
    }
    if (rule instanceof QualityRule.Regex) {
      return pattern.matcher(v.toString()).matches() ? null
          : "rule regex on '" + field + "': '" + v + "' does not match " + pattern.pattern();
    }
    return null;
  }

  private static String bound(Double b) {
    return b == null ? "-inf" : (b == Math.rint(b) ? Long.toString(b.longValue()) : b.toString());
  }

  private static Object plain(Object v) {
    if (v instanceof Utf8 || v instanceof GenericData.EnumSymbol) {
      return v.toString();
    }
    return v;
  }

  private static String head(byte[] payload) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(5, payload.length); i++) {
      sb.append(String.format("%02X ", payload[i]));
    }
    return payload.length == 0 ? "an empty payload" : sb.toString().trim();
  }
}
