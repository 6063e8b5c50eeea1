package dev.tessera.contracts.compatibility;

import static java.util.Objects.requireNonNull;

import dev.tessera.contracts.model.FeatureSetContract;
import java.util.List;

/** The changes between an old and a new version of one contract. */
public record ContractDiff(FeatureSetContract oldContract, FeatureSetContract newContract, List<Change> changes) {
  public ContractDiff {
    requireNonNull(oldContract, "oldContract is null");
    requireNonNull(newContract, "newContract is null");
    changes = List.copyOf(requireNonNull(changes, "changes is null"));
  }

  /** The largest bump any change requires; {@code NONE} when the contracts are equal. */
  public Bump requiredBump() {
    return changes.stream().map(Change::bump).reduce(Bump.NONE, Bump::max);
  }

  /** The bump the version change declares; null when the version went backwards. */
  public Bump declaredBump() {
    return Bump.declared(oldContract.version(), newContract.version());
  }

  /** Whether the declared version bump covers the changes. */
  public boolean versionSufficient() {
    return Bump.satisfies(oldContract.version(), newContract.version(), declaredBump(), requiredBump());
  }
}
