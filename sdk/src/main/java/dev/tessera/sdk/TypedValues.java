package dev.tessera.sdk;

/** Typed reads of named values (null where a value is not served); {@link #get} refuses an unknown name. */
public interface TypedValues {
  /** The value named {@code name}; an unknown name is an {@link IllegalArgumentException} naming what there is. */
  Object get(String name);

  /** The value as a Long (null if not served). */
  default Long getLong(String name) {
    Object v = get(name);
    return v == null ? null : ((Number) v).longValue();
  }

  default Double getDouble(String name) {
    Object v = get(name);
    return v == null ? null : ((Number) v).doubleValue();
  }

  default String getString(String name) {
    Object v = get(name);
    return v == null ? null : v.toString();
  }

  default Boolean getBoolean(String name) {
    return (Boolean) get(name);
  }
}
