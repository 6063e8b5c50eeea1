package dev.tessera.contracts.model;

import static java.util.Objects.requireNonNull;

/** The team accountable for a feature set, and where to reach it. */
public record Owner(String team, String email) implements java.io.Serializable {
  public Owner {
    requireNonNull(team, "team is null");
    requireNonNull(email, "email is null");
  }
}
