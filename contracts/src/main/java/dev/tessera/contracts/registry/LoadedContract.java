package dev.tessera.contracts.registry;

import static java.util.Objects.requireNonNull;

import dev.tessera.contracts.model.FeatureSetContract;
import java.nio.file.Path;

/** A valid contract with the file it came from. */
public record LoadedContract(Path file, String displayName, FeatureSetContract contract) {
  public LoadedContract {
    requireNonNull(file, "file is null");
    requireNonNull(displayName, "displayName is null");
    requireNonNull(contract, "contract is null");
  }
}
