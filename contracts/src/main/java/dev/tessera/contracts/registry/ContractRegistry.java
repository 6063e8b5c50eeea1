package dev.tessera.contracts.registry;

import dev.tessera.contracts.model.ContractException;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.Problem;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.parser.ContractDraft;
import dev.tessera.contracts.parser.ContractParser;
import dev.tessera.contracts.parser.Position;
import dev.tessera.contracts.validation.ContractValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A directory of contracts, one feature set per {@code *.yaml} / {@code *.yml} file (searched
 * recursively, hidden folders skipped). Feature-set names must be unique across the directory.
 *
 * <p>{@code
 * ContractRegistry registry = ContractRegistry.fromDirectory(Path.of("contracts/examples"));
 * FeatureSetContract activity = registry.get("customer_activity");
 * }
 */
public final class ContractRegistry {
  private final Map<String, LoadedContract> byName;

  private ContractRegistry(List<LoadedContract> contracts) {
    Map<String, LoadedContract> map = new LinkedHashMap<>();
    contracts.forEach(c -> map.put(c.contract().name(), c));
    this.byName = map;
  }

  /** Loads a directory; throws {@link ContractException} with every problem if any is invalid. */
  public static ContractRegistry fromDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new TesseraException(
          ErrorCode.INVALID_ARGUMENT, "Cannot load contracts from '" + dir + "': not a directory");
    }
    LoadResult result = load(List.of(dir));
    if (!result.ok()) {
      throw new ContractException(result.problems());
    }
    return new ContractRegistry(result.contracts());
  }

  /** Loads one contract file; throws {@link ContractException} with every problem if invalid. */
  public static FeatureSetContract loadFile(Path file) {
    LoadResult result = load(List.of(file));
    if (!result.ok()) {
      throw new ContractException(result.problems());
    }
    return result.contracts().get(0).contract();
  }

  /**
   * Parses and validates files and directories, never throwing for bad contracts. Problems name
   * files the way the caller named them (a directory's files as {@code dir/relative/path}).
   */
  public static LoadResult load(Collection<Path> paths) {
    List<LoadedContract> ok = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    Map<String, ContractDraft> firstByName = new LinkedHashMap<>();
    int files = 0;
    for (Path path : paths) {
      List<Path> found = expand(path, problems);
      for (Path file : found) {
        files++;
        ContractDraft draft = new ContractParser().parse(file, file.toString());
        new ContractValidator().validate(draft);
        if (draft.name != null) {
          ContractDraft first = firstByName.putIfAbsent(draft.name, draft);
          if (first != null) {
            Position at = first.sourceMap.positionOf("name");
            draft.problems.add(
                "name",
                "Duplicate feature set name '" + draft.name + "': also defined in "
                    + first.problems.file() + ":" + at.line());
          }
        }
        if (draft.problems.isEmpty()) {
          ok.add(new LoadedContract(file, file.toString(), draft.toContract()));
        } else {
          problems.addAll(draft.problems.list());
        }
      }
    }
    return new LoadResult(ok, problems, files);
  }

  private static List<Path> expand(Path path, List<Problem> problems) {
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (!Files.isDirectory(path)) {
      problems.add(new Problem(path.toString(), 0, 0, "", "Cannot read contracts: no such file or directory"));
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(path)) {
      List<Path> files = walk
          .filter(p -> !isHidden(path.relativize(p)))
          .filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().matches(".*\\.ya?ml"))
          .sorted()
          .toList();
      if (files.isEmpty()) {
        problems.add(new Problem(path.toString(), 0, 0, "", "Cannot find contracts: no *.yaml or *.yml files in the directory"));
      }
      return files;
    } catch (IOException e) {
      throw TesseraException.io("Cannot list contracts in " + path, e);
    }
  }

  private static boolean isHidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  public List<FeatureSetContract> all() {
    return byName.values().stream().map(LoadedContract::contract).toList();
  }

  public List<LoadedContract> loaded() {
    return List.copyOf(byName.values());
  }

  public Optional<FeatureSetContract> find(String name) {
    return Optional.ofNullable(byName.get(name)).map(LoadedContract::contract);
  }

  /** The named contract, or a NOT_FOUND error listing the known names. */
  public FeatureSetContract get(String name) {
    return find(name).orElseThrow(() -> new TesseraException(
        ErrorCode.NOT_FOUND,
        "Cannot find feature set '" + name + "': known feature sets are " + String.join(", ", byName.keySet())));
  }
}
