package dev.tessera.contracts.model;

import static java.util.Objects.requireNonNull;

/** A model or service that reads a feature set; notified of breaking changes. */
public record Consumer(String name, String team) implements java.io.Serializable {
  public Consumer {
    requireNonNull(name, "name is null");
    requireNonNull(team, "team is null");
  }

  @Override
  public String toString() {
    return name + " (" + team + ")";
  }
}
