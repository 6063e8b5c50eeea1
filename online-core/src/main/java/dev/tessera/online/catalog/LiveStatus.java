package dev.tessera.online.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a served feature set looks like right now: whether the store caught up, the freshness lag
 * (event time to visible online, over recent rows; against the contract's SLA when it has one),
 * (null without one), the changelog lag, and completeness (the share of lookups answered OK).
 */
public record LiveStatus(boolean ready, Freshness freshness, Changelog changelog, Completeness completeness, Dlq dlq,
    java.util.Map<String, ConsumerUsage> consumers) {
  /** The same status with the feature set's DLQ numbers (null without Kafka). */
  public LiveStatus withDlq(Dlq d) {
    return new LiveStatus(ready, freshness, changelog, completeness, d, consumers);
  }

  /** One consumer's answered requests of this major since the replica started, and when it last read it. */
  public record ConsumerUsage(long reads, @JsonProperty("last_read_ms") long lastReadMillis) {}

  /**
   * Events this feature set rejected: by reason over the last hour and the last day (by when they
   * were rejected), the age of the oldest one its DLQ topic still keeps (null when none), and the
   * events no {@code tessera dlq replay} has put back yet, with the age of the oldest (null when none).
   */
  public record Dlq(String topic, @JsonProperty("last_hour") java.util.Map<String, Long> lastHour,
      @JsonProperty("last_day") java.util.Map<String, Long> lastDay, @JsonProperty("oldest_event_age_ms") Long oldestEventAgeMs,
      long unreplayed, @JsonProperty("oldest_unreplayed_age_ms") Long oldestUnreplayedAgeMs) {}

  public record Freshness(@JsonProperty("p50_ms") Long p50Ms, @JsonProperty("p99_ms") Long p99Ms, long samples,
      @JsonProperty("sla_ms") Long slaMs, @JsonProperty("within_sla") Boolean withinSla) {}

  public record Changelog(String topic, @JsonProperty("lag_records") Long lagRecords) {}

  public record Completeness(long lookups, long ok, long missing, long expired, Double ratio) {}
}
