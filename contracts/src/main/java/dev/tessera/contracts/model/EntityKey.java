package dev.tessera.contracts.model;

import static java.util.Objects.requireNonNull;

/** One column of an entity's key. */
public record EntityKey(String name, FeatureType type) implements java.io.Serializable {
  public EntityKey {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    if (!type.isKeyType()) {
      throw new IllegalArgumentException(
          "Cannot use type '" + type + "' for key '" + name + "': expected string, int or long");
    }
  }
}
