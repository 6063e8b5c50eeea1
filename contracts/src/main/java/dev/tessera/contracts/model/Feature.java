package dev.tessera.contracts.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** One feature of a feature set: a named, typed aggregate over the source's events. */
public record Feature(
    String name, FeatureType type, String description, Aggregate aggregate, Deprecation deprecated) implements java.io.Serializable {
  public Feature {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    requireNonNull(description, "description is null");
    requireNonNull(aggregate, "aggregate is null");
  }

  public Optional<Deprecation> deprecation() {
    return Optional.ofNullable(deprecated);
  }

  public boolean isDeprecated() {
    return deprecated != null;
  }
}
