package dev.tessera.ingest.window;

import java.util.Arrays;

/**
 * One output row of a key: the feature values (contract order, typed as the contract says;
 * timestamps as epoch millis) valid from {@code eventTime}, its per-key {@code sequence}, and
 * whether it is final (offline) or fresh (online only).
 */
public record FeatureValues(long eventTime, long sequence, Object[] values, boolean isFinal) {
  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureValues v && eventTime == v.eventTime && sequence == v.sequence
        && isFinal == v.isFinal && Arrays.equals(values, v.values);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(eventTime) * 31 + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return (isFinal ? "final@" : "fresh@") + eventTime + "#" + sequence + Arrays.toString(values);
  }
}
