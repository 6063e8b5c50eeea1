package dev.tessera.contracts.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** Marks a feature as deprecated since a contract version, optionally naming its replacement. */
public record Deprecation(SemVer since, String replacement) implements java.io.Serializable {
  public Deprecation {
    requireNonNull(since, "since is null");
  }

  public Optional<String> replacementFeature() {
    return Optional.ofNullable(replacement);
  }
}
