package dev.tessera.model.predict;

import java.util.List;
import java.util.Map;

/**
 * What one predict request was answered: the version that answered, and per entity (in request
 * order) its outputs, or the inputs that were missing with {@code missing: reject}.
 *
 * @param route primary or canary (the answer); shadow, primary-unanswered or canary-unanswered (logged only)
 * @param returnFeatures whether the caller asked for the features the model saw
 */
public record Prediction(String requestId, ModelVersion version, String route, List<String> featureNames, List<Entity> entities,
    boolean returnFeatures) {
  /**
   * @param outputs per output: a Double (one value per entity) or a double[] (a vector per entity); null when rejected
   * @param features the values the model saw, in input order (after missing-value defaults)
   * @param rejected null, or the inputs missing with {@code missing: reject}
   */
  public record Entity(Map<String, String> keys, Map<String, Object> outputs, double[] features, Map<String, Long> eventTimes, String rejected) {}

  /** Whether every entity was rejected (answered 422 as a whole). */
  public boolean allRejected() {
    return entities.stream().allMatch(e -> e.rejected() != null);
  }
}
