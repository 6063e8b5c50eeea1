package dev.tessera.contracts.model;

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
    return switch (this) { // a value of the right class as it is (no unboxing and boxing again)
      case INT -> v instanceof Integer ? v : ((Number) v).intValue();
      case LONG, TIMESTAMP -> v instanceof Long ? v : ((Number) v).longValue();
      case FLOAT -> v instanceof Float ? v : ((Number) v).floatValue();
      case DOUBLE -> v instanceof Double ? v : ((Number) v).doubleValue();
      case BOOLEAN -> (Boolean) v;
      case STRING -> v.toString();
    };
  }

  /**
   * The value of this type written as text (a key in a URL, a spine cell, a CLI option): strings
   * as they are, numbers and booleans parsed, timestamps as epoch milliseconds.
   *
   * @throws NumberFormatException when the text is not a value of this type (callers name the field)
   */
  public Object parse(String text) {
    String t = text.trim();
    return switch (this) {
      case STRING -> text;
      case INT -> Integer.parseInt(t);
      case LONG, TIMESTAMP -> Long.parseLong(t);
      case FLOAT -> Float.parseFloat(t);
      case DOUBLE -> Double.parseDouble(t);
      case BOOLEAN -> switch (t.toLowerCase(Locale.ROOT)) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        default -> throw new NumberFormatException("'" + text + "' is not true or false");
      };
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
