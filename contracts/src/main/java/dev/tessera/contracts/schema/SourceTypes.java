package dev.tessera.contracts.schema;

import dev.tessera.contracts.model.FeatureType;
import java.util.Optional;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * How source (Avro) field types map to Tessera types. See {@code docs/contracts.md#type-mapping}.
 *
 * <pre>
 * Avro                                    Tessera
 * string, enum                            string
 * int (no logical type)                   int
 * long (no logical type)                  long
 * long timestamp-millis / -micros         timestamp
 * float / double / boolean                float / double / boolean
 * ["null", T]                             T, nullable
 * anything else (bytes, records, ...)     not usable by a feature, key or event time
 * </pre>
 */
public final class SourceTypes {
  private SourceTypes() {}

  /** The non-null branch of a {@code ["null", T]} union, else the schema itself. */
  public static Schema unwrapNullable(Schema schema) {
    if (schema.getType() == Schema.Type.UNION) {
      var branches = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
      if (branches.size() == 1) {
        return branches.get(0);
      }
    }
    return schema;
  }

  public static boolean isNullable(Schema schema) {
    return schema.getType() == Schema.Type.UNION
        && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL);
  }

  /** The Tessera type of a source field's schema, or empty when no feature can read it. */
  public static Optional<FeatureType> featureTypeOf(Schema fieldSchema) {
    Schema s = unwrapNullable(fieldSchema);
    LogicalType logical = s.getLogicalType();
    return Optional.ofNullable(
        switch (s.getType()) {
          case STRING, ENUM -> FeatureType.STRING;
          case INT -> logical == null ? FeatureType.INT : null;
          case LONG -> {
            if (logical == null) {
              yield FeatureType.LONG;
            }
            yield isTimestamp(logical) ? FeatureType.TIMESTAMP : null;
          }
          case FLOAT -> FeatureType.FLOAT;
          case DOUBLE -> FeatureType.DOUBLE;
          case BOOLEAN -> FeatureType.BOOLEAN;
          default -> null;
        });
  }

  /** A readable name of a field schema, such as {@code long (timestamp-millis)} or {@code ["null","double"]}. */
  public static String describe(Schema fieldSchema) {
    if (fieldSchema.getType() == Schema.Type.UNION) {
      return fieldSchema.toString();
    }
    LogicalType logical = fieldSchema.getLogicalType();
    String base = fieldSchema.getType().getName();
    return logical == null ? base : base + " (" + logical.getName() + ")";
  }

  private static boolean isTimestamp(LogicalType logical) {
    return logical instanceof LogicalTypes.TimestampMillis
        || logical instanceof LogicalTypes.TimestampMicros;
  }

  /** Whether a source field is a timestamp whose values are microseconds, not milliseconds. */
  public static boolean isMicros(Schema fieldSchema) {
    return unwrapNullable(fieldSchema).getLogicalType() instanceof LogicalTypes.TimestampMicros;
  }
}
