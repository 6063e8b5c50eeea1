package dev.tessera.online.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tessera.online.lookup.FeatureLookup;
import dev.tessera.online.lookup.LookupService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON answer of a lookup: one {@link Entity} per requested entity, in request order. */
record LookupResponse(List<Entity> results) {
  /** One entity's keys and the answer of each selected feature set. */
  record Entity(Map<String, String> entity, @JsonProperty("feature_sets") Map<String, FeatureSet> featureSets) {
    /** @param versions the served contract version of each feature set */
    static Entity of(LookupService.EntityResult r, Map<String, String> versions) {
      Map<String, FeatureSet> sets = new LinkedHashMap<>();
      r.featureSets().forEach((name, res) -> sets.put(name, FeatureSet.of(res, versions.get(name))));
      return new Entity(r.entity(), sets);
    }
  }

  /**
   * One feature set's answer: values are null unless status is OK; {@code missing} names features
   * the stored row has no value for, with the reason; {@code version} is the contract version that
   * served the answer, {@code row_version} the one that wrote the row.
   */
  record FeatureSet(String version, String status, @JsonProperty("event_time") Long eventTime, @JsonProperty("age_ms") Long ageMs,
      @JsonInclude(JsonInclude.Include.ALWAYS) Map<String, Object> values,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> missing,
      @JsonProperty("row_version") @JsonInclude(JsonInclude.Include.NON_NULL) String rowVersion) {
    static FeatureSet of(FeatureLookup.Result r, String version) {
      return new FeatureSet(version, r.status().name(), r.eventTime(), r.ageMs(), r.values(), r.missing(), r.rowVersion());
    }
  }

  static LookupResponse of(List<LookupService.EntityResult> results, Map<String, String> versions) {
    return new LookupResponse(results.stream().map(r -> Entity.of(r, versions)).toList());
  }
}
