package dev.tessera.contracts.api;

import java.util.Locale;

/** The value types a feature (or an entity key) may have. Timestamps are epoch milliseconds, UTC. */
public enum FeatureType {
  INT,
  LONG,
  FLOAT,
  DOUBLE,
  BOOLEAN,
  STRING,
  TIMESTAMP;

  public boolean isNumeric() {
    return this == INT || this == LONG || this == FLOAT || this == DOUBLE;
  }

  public boolean isIntegral() {
    return this == INT || this == LONG;
  }

  /** Types allowed for entity keys: they must be exact and hashable across languages. */
  public boolean isKeyType() {
    return this == STRING || this == INT || this == LONG;
  }

  /**
   * The Java value of this type for {@code v} (numbers widen or narrow to Integer, Long, Float,
   * Double; timestamps are epoch-millis Longs); null stays null.
   */
  public Object coerce(Object v) {
    if (v == null) {
      return null;
    }
    return switch (this) {
      case INT -> ((Number) v).intValue();
      case LONG, TIMESTAMP -> ((Number) v).longValue();
      case FLOAT -> ((Number) v).floatValue();
      case DOUBLE -> ((Number) v).doubleValue();
      case BOOLEAN -> (Boolean) v;
      case STRING -> v.toString();
    };
  }

  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return yamlName();
  }
}
