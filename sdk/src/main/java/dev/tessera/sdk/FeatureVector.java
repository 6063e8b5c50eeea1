package dev.tessera.sdk;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The online values of one feature set for one entity. Values are null unless {@link #status()}
 * is {@link Status#OK}; an {@link Status#EXPIRED} vector keeps its event time and age. {@link
 * #version()} is the contract version that served it (null from a service that does not say).
 *
 * <p>{@code
 * FeatureVector v = client.get("customer_activity", Map.of("customer_id", "c-1"));
 * if (v.ok()) { long n = v.getLong("txn_count_1h"); }
 * }
 */
public record FeatureVector(String featureSet, Status status, Instant eventTime, Duration age, Map<String, Object> values, String version)
    implements TypedValues {
  /** Whether a value is served. */
  public enum Status {
    OK,
    MISSING,
    EXPIRED
  }

  public FeatureVector {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public boolean ok() {
    return status == Status.OK;
  }

  @Override
  public Object get(String feature) {
    if (!values.containsKey(feature)) {
      throw new IllegalArgumentException("Feature set " + featureSet + " has no feature '" + feature + "' in this vector (has " + values.keySet() + ")");
    }
    return values.get(feature);
  }
}
