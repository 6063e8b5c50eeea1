package dev.tessera.contracts.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How a feature is computed from events.
 *
 * @param function the aggregate function
 * @param field the source field it reads; null only for {@code count} of events
 * @param window the sliding window length; null means all history
 */
public record Aggregate(AggregateFunction function, String field, Duration window) implements java.io.Serializable {
  public Aggregate {
    requireNonNull(function, "function is null");
    if (field == null && function.needsField()) {
      throw new IllegalArgumentException(
          "Cannot create aggregate '" + function + "': it needs a field");
    }
    if (window != null && (window.isNegative() || window.isZero())) {
      throw new IllegalArgumentException(
          "Cannot create aggregate with window " + window + ": expected a positive duration");
    }
  }

  public Optional<String> fieldName() {
    return Optional.ofNullable(field);
  }

  public Optional<Duration> windowLength() {
    return Optional.ofNullable(window);
  }
}
