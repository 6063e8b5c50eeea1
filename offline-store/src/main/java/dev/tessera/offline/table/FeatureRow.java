package dev.tessera.offline.table;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * One offline row of a feature set: key values in entity key order, feature values in contract
 * order (null = missing), and the event time in epoch milliseconds. Timestamps are epoch millis.
 */
public record FeatureRow(Object[] keys, Object[] values, long eventTime) {
  public FeatureRow {
    requireNonNull(keys, "keys is null");
    requireNonNull(values, "values is null");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureRow r && eventTime == r.eventTime && Arrays.equals(keys, r.keys) && Arrays.equals(values, r.values);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(keys) + Arrays.hashCode(values)) + Long.hashCode(eventTime);
  }

  @Override
  public String toString() {
    return Arrays.toString(keys) + "@" + eventTime + "=" + Arrays.toString(values);
  }
}
