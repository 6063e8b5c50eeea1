package dev.tessera.ingest.decode;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Map;

/**
 * An accepted source event: entity key values in key order, event time in epoch millis, and the
 * source fields as plain Java values (strings, numbers, booleans; timestamps as epoch millis).
 */
public record SourceEvent(Object[] keys, long eventTime, Map<String, Object> fields) {
  public SourceEvent {
    requireNonNull(keys, "keys is null");
    requireNonNull(fields, "fields is null");
  }

  /**
   * The key as the stream partitions by it: key values joined by NUL. Distinct keys give distinct
   * texts (a NUL inside a key value is the only ambiguity, and keys are names and numbers).
   */
  public String keyText() {
    return keyText(keys);
  }

  public static String keyText(Object[] keys) {
    return dev.tessera.contracts.rows.EntityKeys.text(keys);
  }

  @Override
  public String toString() {
    return Arrays.toString(keys) + "@" + eventTime + " " + fields;
  }
}
