package dev.tessera.contracts.registry;

import dev.tessera.contracts.model.Problem;
import java.util.List;
import java.util.Optional;

/**
 * What loading files or directories of contracts gave: the valid contracts, every problem, and
 * how many files were read.
 */
public record LoadResult(List<LoadedContract> contracts, List<Problem> problems, int filesRead) {
  public LoadResult {
    contracts = List.copyOf(contracts);
    problems = problems.stream().sorted().toList();
  }

  public boolean ok() {
    return problems.isEmpty();
  }

  public Optional<LoadedContract> byName(String name) {
    return contracts.stream().filter(c -> c.contract().name().equals(name)).findFirst();
  }
}
