package dev.tessera.online.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tessera.contracts.model.Durations;
import dev.tessera.contracts.model.FeatureSetContract;
import java.util.List;

/**
 * A served feature set major as the catalog shows it: its contract, whether the caller may read
 * it, and its live status. {@code ref} is how a lookup pins this major ({@code <name>@<major>}).
 */
public record FeatureSetView(String name, String ref, int major, String version, String status,
    @JsonInclude(JsonInclude.Include.NON_NULL) String sunset, @JsonInclude(JsonInclude.Include.NON_NULL) String replacement, String description, Owner owner, java.util.Map<String, String> tags, Entity entity,
    String ttl, List<Feature> features, Sla sla, List<Consumer> consumers, boolean readable,
    @JsonProperty("changelog_topic") String changelogTopic, @JsonProperty("offline_table") String offlineTable, LiveStatus live) {

  public record Owner(String team, String email) {}

  public record Entity(String name, List<Key> keys) {}

  public record Key(String name, String type) {}

  public record Feature(String name, String type, String description, String function, String window,
      @JsonInclude(JsonInclude.Include.NON_NULL) Deprecated deprecated) {}

  public record Deprecated(String since, String replacement) {}

  public record Sla(String freshness, @JsonProperty("availability_percent") Double availabilityPercent,
      @JsonProperty("latency_p99") String latencyP99, @JsonProperty("completeness_percent") Double completenessPercent) {}

  public record Consumer(String name, String team) {}

  public static FeatureSetView of(FeatureSetContract c, boolean readable, LiveStatus live) {
    return new FeatureSetView(c.name(), c.majorId(), c.majorVersion(), c.version().toString(), c.status().yamlName(),
        c.sunset() == null ? null : c.sunset().toString(), c.replacement(), c.description(),
        new Owner(c.owner().team(), c.owner().email()), c.tags(),
        new Entity(c.entity().name(), c.entity().keys().stream().map(k -> new Key(k.name(), k.type().yamlName())).toList()),
        c.ttl() == null ? null : Durations.format(c.ttl()),
        c.features().stream().map(f -> new Feature(f.name(), f.type().yamlName(), f.description(), f.aggregate().function().yamlName(),
            f.aggregate().windowLength().map(Durations::format).orElse(null),
            f.deprecation().map(d -> new Deprecated(d.since().toString(), d.replacementFeature().orElse(""))).orElse(null))).toList(),
        new Sla(c.sla().freshness() == null ? null : Durations.format(c.sla().freshness()), c.sla().availabilityPercent(),
            c.sla().latencyP99() == null ? null : Durations.format(c.sla().latencyP99()), c.sla().completenessPercent()),
        c.consumers().stream().map(x -> new Consumer(x.name(), x.team())).toList(), readable, c.changelogTopic(), c.tableName(), live);
  }
}
