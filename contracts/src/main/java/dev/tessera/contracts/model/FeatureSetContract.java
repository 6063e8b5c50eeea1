package dev.tessera.contracts.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validated feature-set contract: {@code name} + semver {@code version}. A major version owns
 * its physical artefacts: the Iceberg table {@code <name>__v<major>} and the changelog topic
 * {@code tessera.online.<name>.v<major>}.
 *
 * <p>Instances come from {@code ContractParser}; the constructor checks only structural
 * invariants, the parser reports every user-facing problem with its position.
 */
public record FeatureSetContract(
    String name,
    SemVer version,
    ContractStatus status,
    String description,
    Owner owner,
    Map<String, String> tags,
    Entity entity,
    Source source,
    Duration windowHop,
    Duration ttl,
    List<Feature> features,
    List<QualityRule> quality,
    Sla sla,
    List<Consumer> consumers,
    java.time.LocalDate sunset,
    String replacement) implements java.io.Serializable {

  public static final String API_VERSION = "tessera/v1";
  public static final String KIND = "FeatureSet";
  /** Column that carries each row's event time in every derived schema. */
  public static final String EVENT_TIME_COLUMN = "event_time";

  public FeatureSetContract {
    requireNonNull(name, "name is null");
    requireNonNull(version, "version is null");
    requireNonNull(status, "status is null");
    requireNonNull(description, "description is null");
    requireNonNull(owner, "owner is null");
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(tags, "tags is null")));
    requireNonNull(entity, "entity is null");
    requireNonNull(source, "source is null");
    requireNonNull(windowHop, "windowHop is null");
    features = List.copyOf(requireNonNull(features, "features is null"));
    quality = List.copyOf(requireNonNull(quality, "quality is null"));
    requireNonNull(sla, "sla is null");
    consumers = List.copyOf(requireNonNull(consumers, "consumers is null"));
    if (features.isEmpty()) {
      throw new IllegalArgumentException("Cannot create feature set '" + name + "': no features");
    }
    Set<String> seen = new HashSet<>();
    for (Feature f : features) {
      if (!seen.add(f.name())) {
        throw new IllegalArgumentException(
            "Cannot create feature set '" + name + "': duplicate feature '" + f.name() + "'");
      }
    }
  }

  /** {@code <name>@<major>}: how a pinned reference names this major. */
  public String majorId() {
    return name + "@" + version.major();
  }

  /** Whether {@code today} is on or after the sunset (false without one). */
  public boolean sunsetReached(java.time.LocalDate today) {
    return sunset != null && !today.isBefore(sunset);
  }

  /** {@code <name>@<version>}, how logs and reports name a contract. */
  public String id() {
    return name + "@" + version;
  }

  public int majorVersion() {
    return version.major();
  }

  /** The Iceberg table name (without namespace) of this major version. */
  public String tableName() {
    return name + "__v" + version.major();
  }

  /** The compacted changelog topic that feeds the online store. */
  public String changelogTopic() {
    return "tessera.online." + name + ".v" + version.major();
  }

  public Optional<Duration> ttlDuration() {
    return Optional.ofNullable(ttl);
  }

  public Optional<Feature> feature(String featureName) {
    return features.stream().filter(f -> f.name().equals(featureName)).findFirst();
  }

  public List<String> featureNames() {
    return features.stream().map(Feature::name).toList();
  }
}
