package dev.tessera.contracts.model;

/** Lifecycle of a feature set: served, being phased out (consumers warned), or no longer produced. */
public enum ContractStatus {
  ACTIVE,
  DEPRECATED,
  RETIRED;

  public String yamlName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
