package dev.tessera.config;

import static java.util.Objects.requireNonNull;

import java.util.function.Function;

/**
 * One configuration key, declared once: typed, with a default (null: no default) and a
 * description. Modules keep their options as constants in an {@code *Options} class.
 */
public record ConfigOption<T>(
    String key, String type, Function<String, T> parser, T defaultValue, String description) {
  public ConfigOption {
    requireNonNull(key, "key is null");
    requireNonNull(type, "type is null");
    requireNonNull(parser, "parser is null");
    requireNonNull(description, "description is null");
    if (!key.startsWith("tessera.")) {
      throw new IllegalArgumentException("Cannot declare option '" + key + "': keys start with 'tessera.'");
    }
  }

  public static ConfigOption<String> string(String key, String defaultValue, String description) {
    return new ConfigOption<>(key, "string", s -> s, defaultValue, description);
  }

  public static ConfigOption<Integer> integer(String key, Integer defaultValue, String description) {
    return new ConfigOption<>(key, "int", Integer::valueOf, defaultValue, description);
  }

  public static ConfigOption<Boolean> bool(String key, Boolean defaultValue, String description) {
    return new ConfigOption<>(key, "boolean", ConfigOption::parseBoolean, defaultValue, description);
  }

  public static ConfigOption<java.time.Duration> duration(String key, java.time.Duration defaultValue, String description) {
    return new ConfigOption<>(key, "duration", dev.tessera.contracts.model.Durations::parse, defaultValue, description);
  }

  /** A size such as {@code 256m}, {@code 2g}, {@code 512k} or plain bytes. */
  public static ConfigOption<Long> bytes(String key, Long defaultValue, String description) {
    return new ConfigOption<>(key, "size", ConfigOption::parseBytes, defaultValue, description);
  }

  public static <E extends Enum<E>> ConfigOption<E> enumeration(String key, Class<E> type, E defaultValue, String description) {
    return new ConfigOption<>(key, "one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(java.util.Locale.ROOT),
        s -> Enum.valueOf(type, s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_')), defaultValue, description);
  }

  static boolean parseBoolean(String s) {
    return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException("expected true or false");
    };
  }

  static long parseBytes(String s) {
    String t = s.trim().toLowerCase(java.util.Locale.ROOT);
    long unit = 1;
    char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
    if (last == 'k' || last == 'm' || last == 'g') {
      unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
      t = t.substring(0, t.length() - 1);
    }
    long n = Long.parseLong(t);
    if (n <= 0) {
      throw new IllegalArgumentException("expected a positive size");
    }
    return n * unit;
  }
}
