package dev.tessera.ingest.decode;

import dev.tessera.contracts.model.FeatureSetContract;

/**
 * The lateness rule, decided per source partition in offset order so that a stream, a file
 * backfill and a replay of the events archive route exactly the same events to the DLQ: an event
 * is late when its time is at or before {@code max earlier accepted time of its partition -
 * maxOutOfOrderness - 1 - allowedLateness} (the watermark that partition alone would give, minus
 * the lateness). That bound is also the partition's horizon: no event of it accepted later can be
 * at or before it.
 */
public final class LatenessRule {
  private final long bound;

  public LatenessRule(FeatureSetContract contract) {
    this.bound = contract.source().maxOutOfOrderness().toMillis() + 1 + contract.source().allowedLateness().toMillis();
  }

  /** Null when the event is on time; else the DLQ detail. {@code maxSeen} is null before the partition's first event. */
  public String late(long eventTime, Long maxSeen) {
    if (maxSeen != null && eventTime <= maxSeen - bound) {
      return "event time " + eventTime + " is at or before " + (maxSeen - bound)
          + " (latest event time " + maxSeen + " minus maxOutOfOrderness, 1 ms and allowedLateness)";
    }
    return null;
  }

  /** The latest time a partition that has accepted {@code maxSeen} can still receive no event at or before. */
  public long horizon(long maxSeen) {
    return maxSeen - bound;
  }
}
