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

  @Override
  public String toString() {
    return Arrays.toString(keys) + "@" + eventTime + " " + fields;
  }
}
