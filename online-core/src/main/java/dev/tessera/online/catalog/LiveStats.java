package dev.tessera.online.catalog;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live numbers of one served feature set: freshness lag (event time to visible online) over the
 * last {@value #SAMPLES} applied rows, the changelog lag, and lookup outcomes.
 */
final class LiveStats {
  static final int SAMPLES = 4096;

  private final long[] lags = new long[SAMPLES];
  private int next;
  private long recorded;
  final AtomicLong changelogLag = new AtomicLong(-1);
  final LongAdder ok = new LongAdder();
  final LongAdder missing = new LongAdder();
  final LongAdder expired = new LongAdder();

  synchronized void recordLag(long millis) {
    lags[next] = millis;
    next = (next + 1) % SAMPLES;
    recorded++;
  }

  /** The p-th percentile (0..1) of the recent lags, nearest rank; null before any sample. */
  synchronized Long lagPercentile(double p) {
    int n = (int) Math.min(recorded, SAMPLES);
    if (n == 0) {
      return null;
    }
    long[] sorted = Arrays.copyOf(lags, n);
    Arrays.sort(sorted);
    return sorted[Math.max(0, (int) Math.ceil(p * n) - 1)];
  }

  synchronized long samples() {
    return Math.min(recorded, SAMPLES);
  }
}
