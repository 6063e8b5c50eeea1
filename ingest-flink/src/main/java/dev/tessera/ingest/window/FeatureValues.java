package dev.tessera.ingest.window;

import java.util.Arrays;
import java.util.BitSet;

/**
 * One output row of a key: the feature values (contract order, typed as the contract says;
 * timestamps as epoch millis) valid from {@code eventTime}, its per-key {@code sequence}, whether
 * it is final (offline) or fresh (online only), and the features not served yet ({@code missing},
 * by index; null when none): added by a minor version, their history not backfilled.
 */
public record FeatureValues(long eventTime, long sequence, Object[] values, boolean isFinal, BitSet missing) {
  public FeatureValues(long eventTime, long sequence, Object[] values, boolean isFinal) {
    this(eventTime, sequence, values, isFinal, null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureValues v && eventTime == v.eventTime && sequence == v.sequence
        && isFinal == v.isFinal && Arrays.equals(values, v.values) && java.util.Objects.equals(missing, v.missing);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(eventTime) * 31 + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return (isFinal ? "final@" : "fresh@") + eventTime + "#" + sequence + Arrays.toString(values) + (missing == null ? "" : " missing " + missing);
  }
}
