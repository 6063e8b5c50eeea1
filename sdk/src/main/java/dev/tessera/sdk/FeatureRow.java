package dev.tessera.sdk;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entity's row of an Arrow lookup, as a {@link FeatureBatcher} hands it to its caller:
 * columns {@code <featureSet>__<feature>} and {@code <featureSet>__event_time}; null where a value
 * is not served (MISSING or EXPIRED).
 */
public record FeatureRow(Map<String, Object> columns) implements TypedValues {
  public FeatureRow {
    columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
  }

  @Override
  public Object get(String column) {
    if (!columns.containsKey(column)) {
      throw new IllegalArgumentException("No column '" + column + "' in this row (has " + columns.keySet() + ")");
    }
    return columns.get(column);
  }


  /** The event time of {@code featureSet}'s values, or null when MISSING. */
  public Instant eventTime(String featureSet) {
    Object v = get(featureSet + "__event_time");
    return v == null ? null : Instant.ofEpochMilli(((Number) v).longValue());
  }
}
