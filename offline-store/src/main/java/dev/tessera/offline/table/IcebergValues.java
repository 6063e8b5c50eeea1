package dev.tessera.offline.table;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.iceberg.types.Type;

/** Converts between Tessera values (timestamps as epoch millis) and Iceberg generic values. */
public final class IcebergValues {
  private IcebergValues() {}

  public static Object toIceberg(Object value, Type type) {
    if (value == null) {
      return null;
    }
    return switch (type.typeId()) {
      case TIMESTAMP -> {
        long millis = ((Number) value).longValue();
        OffsetDateTime t = Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
        yield ((org.apache.iceberg.types.Types.TimestampType) type).shouldAdjustToUTC() ? t : t.toLocalDateTime();
      }
      case INTEGER -> ((Number) value).intValue();
      case LONG -> ((Number) value).longValue();
      case FLOAT -> ((Number) value).floatValue();
      case DOUBLE -> ((Number) value).doubleValue();
      case STRING -> value.toString();
      default -> value;
    };
  }

  public static Object fromIceberg(Object value) {
    if (value instanceof OffsetDateTime t) {
      return t.toInstant().toEpochMilli();
    }
    if (value instanceof LocalDateTime t) {
      return t.toInstant(ZoneOffset.UTC).toEpochMilli();
    }
    if (value instanceof CharSequence s) {
      return s.toString();
    }
    return value;
  }
}
