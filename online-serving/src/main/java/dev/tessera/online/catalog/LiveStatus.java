package dev.tessera.online.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a served feature set looks like right now: whether the store caught up, the freshness lag
 * (event time to visible online, over recent rows; against the contract's SLA when it has one),
 * (null without one), the changelog lag, and completeness (the share of lookups answered OK).
 */
public record LiveStatus(boolean ready, Freshness freshness, Changelog changelog, Completeness completeness) {
  public record Freshness(@JsonProperty("p50_ms") Long p50Ms, @JsonProperty("p99_ms") Long p99Ms, long samples,
      @JsonProperty("sla_ms") Long slaMs, @JsonProperty("within_sla") Boolean withinSla) {}

  public record Changelog(String topic, @JsonProperty("lag_records") Long lagRecords) {}

  public record Completeness(long lookups, long ok, long missing, long expired, Double ratio) {}
}
