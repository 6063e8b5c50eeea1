package dev.tessera.model.predict;

import java.util.Arrays;

/**
 * What a promotion gate reads about one version since the service started: how many requests it
 * scored, its request latency (queue wait, feature fetch and its own inference; the last 8,192
 * requests, for the p99), and, for a candidate, how far its output is from the primary's on the
 * same feature vectors (mean absolute difference).
 */
public final class VersionStats {
  private static final int WINDOW = 8192;
  private final long[] latencies = new long[WINDOW];
  private long requests;
  private long entities;
  private double disagreementSum;
  private long compared;

  public synchronized void recordRequest(long latencyNanos, int entityCount) {
    latencies[(int) (requests % WINDOW)] = latencyNanos;
    requests++;
    entities += entityCount;
  }

  public synchronized void recordDisagreement(double absoluteDifferenceSum, long count) {
    disagreementSum += absoluteDifferenceSum;
    compared += count;
  }

  /** A consistent copy. */
  public synchronized Snapshot snapshot() {
    int n = (int) Math.min(requests, WINDOW);
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    double p99 = n == 0 ? Double.NaN : sorted[Math.min(n - 1, (int) Math.ceil(0.99 * n) - 1)] / 1e6;
    double p50 = n == 0 ? Double.NaN : sorted[Math.min(n - 1, (int) Math.ceil(0.50 * n) - 1)] / 1e6;
    return new Snapshot(requests, entities, p50, p99, compared == 0 ? Double.NaN : disagreementSum / compared, compared);
  }

  /** @param disagreement mean absolute difference from the primary (NaN: not compared) */
  public record Snapshot(long requests, long entities, double p50Millis, double p99Millis, double disagreement, long compared) {}
}
