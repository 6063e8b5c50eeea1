package dev.tessera.contracts.validation;

import dev.tessera.contracts.model.AggregateFunction;
import dev.tessera.contracts.model.FeatureType;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which field types each aggregate function reads, and which feature types it may produce.
 *
 * <pre>
 * count            any field (non-null values) or none (events)   long
 * sum              int, long                                      long
 * sum              float, double                                  double
 * avg              int, long, float, double                       double
 * min, max         int, long, float, double, timestamp            the field's type (int may widen to long, float to double)
 * first, last      any                                            the field's type (same widening)
 * </pre>
 */
public final class AggregateTypes {
  private static final Set<FeatureType> NUMERIC =
      EnumSet.of(FeatureType.INT, FeatureType.LONG, FeatureType.FLOAT, FeatureType.DOUBLE);

  private AggregateTypes() {}

  /** Field types the function can read; {@code count} reads any. */
  public static Set<FeatureType> inputTypes(AggregateFunction function) {
    return switch (function) {
      case COUNT, FIRST, LAST -> EnumSet.allOf(FeatureType.class);
      case SUM, AVG -> NUMERIC;
      case MIN, MAX -> {
        Set<FeatureType> s = EnumSet.copyOf(NUMERIC);
        s.add(FeatureType.TIMESTAMP);
        yield s;
      }
    };
  }

  /** Feature types the function may produce from a field of {@code input} (null: no field). */
  public static Set<FeatureType> resultTypes(AggregateFunction function, FeatureType input) {
    return switch (function) {
      case COUNT -> EnumSet.of(FeatureType.LONG);
      case SUM -> input.isIntegral() ? EnumSet.of(FeatureType.LONG) : EnumSet.of(FeatureType.DOUBLE);
      case AVG -> EnumSet.of(FeatureType.DOUBLE);
      case MIN, MAX, FIRST, LAST -> widenings(input);
    };
  }

  private static Set<FeatureType> widenings(FeatureType input) {
    return switch (input) {
      case INT -> EnumSet.of(FeatureType.INT, FeatureType.LONG);
      case FLOAT -> EnumSet.of(FeatureType.FLOAT, FeatureType.DOUBLE);
      default -> EnumSet.of(input);
    };
  }
}
