package dev.tessera.contracts.model;

import java.time.Duration;
import java.util.Optional;

/**
 * What the owner promises consumers. Every part is optional.
 *
 * @param freshness the longest time from an event to its value being visible online
 * @param availabilityPercent the share of time the online API answers, e.g. 99.9
 * @param latencyP99 the 99th-percentile online lookup latency
 * @param completenessPercent the share of source events that must be accepted (not DLQ'd)
 */
public record Sla(
    Duration freshness, Double availabilityPercent, Duration latencyP99, Double completenessPercent) implements java.io.Serializable {
  public static final Sla NONE = new Sla(null, null, null, null);

  public Sla {
    checkPercent("availability", availabilityPercent);
    checkPercent("completeness", completenessPercent);
  }

  private static void checkPercent(String what, Double value) {
    if (value != null && (value <= 0 || value > 100)) {
      throw new IllegalArgumentException(
          "Cannot create SLA " + what + " " + value + "%: expected a percentage in (0, 100]");
    }
  }

  public Optional<Duration> freshnessTarget() {
    return Optional.ofNullable(freshness);
  }

  public Optional<Duration> latencyP99Target() {
    return Optional.ofNullable(latencyP99);
  }
}
