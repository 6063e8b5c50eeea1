package dev.tessera.contracts.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** What a feature set describes (a customer, a merchant, a customer-merchant pair) and its key. */
public record Entity(String name, List<EntityKey> keys) implements java.io.Serializable {
  public Entity {
    requireNonNull(name, "name is null");
    keys = List.copyOf(requireNonNull(keys, "keys is null"));
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("Cannot create entity '" + name + "': it has no keys");
    }
  }

  public List<String> keyNames() {
    return keys.stream().map(EntityKey::name).toList();
  }
}
