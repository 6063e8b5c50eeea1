package dev.tessera.contracts.compatibility;

import static java.util.Objects.requireNonNull;

/**
 * One difference between two versions of a contract.
 *
 * @param path where it is, such as {@code features.amount_sum_24h.aggregate.window}
 * @param change a short kebab-case code, such as {@code feature-removed}
 * @param bump the semver bump the change requires
 * @param reason a sentence with the old and new values and why the bump is needed
 */
public record Change(String path, String change, Bump bump, String reason) {
  public Change {
    requireNonNull(path, "path is null");
    requireNonNull(change, "change is null");
    requireNonNull(bump, "bump is null");
    requireNonNull(reason, "reason is null");
  }
}
