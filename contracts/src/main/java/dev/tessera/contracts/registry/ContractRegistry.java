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
 * recursively, hidden folders skipped). Feature-set names are unique across the directory, except
 * that an older major of a feature set lives beside the newest in {@code <name>@<major>.yaml}
 * (same {@code name} inside, a version of that major): {@link #all} and {@link #get} give the
 * newest major of each, {@link #majors} and {@link #find(String, int)} every live one.
 *
 * <p>{@code
 * ContractRegistry registry = ContractRegistry.fromDirectory(Path.of("contracts/examples"));
 * FeatureSetContract activity = registry.get("customer_activity");
 * }
 */
public final class ContractRegistry {
  private final Map<String, LoadedContract> byName;

  private final Map<String, java.util.TreeMap<Integer, LoadedContract>> majors;

  private ContractRegistry(List<LoadedContract> contracts) {
    Map<String, java.util.TreeMap<Integer, LoadedContract>> byMajor = new LinkedHashMap<>();
    contracts.forEach(c -> byMajor.computeIfAbsent(c.contract().name(), k -> new java.util.TreeMap<>())
        .put(c.contract().majorVersion(), c));
    Map<String, LoadedContract> map = new LinkedHashMap<>();
    byMajor.forEach((name, versions) -> map.put(name, versions.lastEntry().getValue()));
    this.byName = map;
    this.majors = byMajor;
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

  /** The contracts (every loaded major) that {@code keep} accepts, as a registry of their own: what a reader of a few feature sets serves. */
  public ContractRegistry only(java.util.function.Predicate<FeatureSetContract> keep) {
    List<LoadedContract> kept = new ArrayList<>();
    majors.values().forEach(versions -> versions.values().forEach(c -> {
      if (keep.test(c.contract())) {
        kept.add(c);
      }
    }));
    return new ContractRegistry(kept);
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
   * Parses one contract kept as text (a version a store kept, not a file of the repository), with
   * the files it names by relative path (its source schema) as kept with it; {@code displayName} is
   * how problems name it. Throws TesseraException (INVALID_ARGUMENT) naming every problem.
   */
  public static FeatureSetContract parseText(String displayName, String yaml, Map<String, String> files) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("tessera-contract-");
      int up = 0; // the contract sits deep enough that every "../" of its files stays inside the directory
      for (String relative : files.keySet()) {
        up = Math.max(up, countUp(relative));
      }
      Path home = dir;
      for (int i = 0; i < up; i++) {
        home = home.resolve("d" + i);
      }
      Files.createDirectories(home);
      Path file = home.resolve("contract.yaml");
      Files.writeString(file, yaml);
      for (Map.Entry<String, String> f : files.entrySet()) {
        Path target = home.resolve(f.getKey()).normalize();
        if (!target.startsWith(dir)) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read contract " + displayName + ": file '" + f.getKey()
              + "' is outside its directory");
        }
        Files.createDirectories(target.getParent());
        Files.writeString(target, f.getValue());
      }
      LoadResult result = load(List.of(file));
      if (!result.ok()) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read contract " + displayName + ": "
            + result.problems().stream().map(Object::toString).collect(java.util.stream.Collectors.joining("; ")));
      }
      return result.contracts().get(0).contract();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      if (dir != null) {
        try (Stream<Path> all = Files.walk(dir)) {
          all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
          // a temporary directory
        }
      }
    }
  }

  private static int countUp(String relative) {
    int n = 0;
    for (Path part : Path.of(relative)) {
      if (!part.toString().equals("..")) {
        break;
      }
      n++;
    }
    return n;
  }

  /**
   * Parses and validates files and directories, never throwing for bad contracts. Problems name
   * files the way the caller named them (a directory's files as {@code dir/relative/path}).
   */
  public static LoadResult load(Collection<Path> paths) {
    List<LoadedContract> ok = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    Map<String, ContractDraft> firstByName = new LinkedHashMap<>();
    Map<String, ContractDraft> firstByMajor = new LinkedHashMap<>();
    List<ContractDraft> drafts = new ArrayList<>();
    int files = 0;
    for (Path path : paths) {
      List<Path> found = expand(path, problems);
      for (Path file : found) {
        files++;
        ContractDraft draft = new ContractParser().parse(file, file.toString());
        new ContractValidator().validate(draft);
        drafts.add(draft);
        if (draft.name == null) {
          continue;
        }
        Integer pinned = pinnedMajor(file);
        if (pinned == null) {
          ContractDraft first = firstByName.putIfAbsent(draft.name, draft);
          if (first != null) {
            Position at = first.sourceMap.positionOf("name");
            draft.problems.add("name", "Duplicate feature set name '" + draft.name + "': also defined in "
                + first.problems.file() + ":" + at.line() + " (an older major goes in " + draft.name + "@<major>.yaml)");
          }
        } else {
          String stem = file.getFileName().toString().replaceFirst("@[0-9]+\\.ya?ml$", "");
          if (!stem.equals(draft.name)) {
            draft.problems.add("name", "File '" + file.getFileName() + "' holds an older major of '" + stem
                + "', not of '" + draft.name + "'");
          } else if (draft.version != null && draft.version.major() != pinned) {
            draft.problems.add("version", "File '" + file.getFileName() + "' holds major " + pinned + " of " + draft.name
                + ": expected version " + pinned + ".x.y, got " + draft.version);
          }
        }
        if (draft.version != null) {
          ContractDraft first = firstByMajor.putIfAbsent(draft.name + "@" + draft.version.major(), draft);
          if (first != null && (pinned != null || pinnedMajor(first.file) != null)) { // two plain files: reported above
            draft.problems.add("version", "Major " + draft.version.major() + " of '" + draft.name + "' is also in "
                + first.problems.file() + ": one file per major");
          }
        }
      }
    }
    // the unpinned file of a feature set holds its newest major
    for (ContractDraft d : drafts) {
      ContractDraft newest = d.name == null ? null : firstByName.get(d.name);
      if (newest != null && newest != d && pinnedMajor(d.file) != null && d.version != null && newest.version != null
          && d.version.major() >= newest.version.major()) {
        d.problems.add("version", "'" + d.file.getFileName() + "' holds major " + d.version.major() + " but "
            + newest.problems.file() + " holds " + newest.version + ": the file without @<major> holds the newest major");
      }
    }
    for (ContractDraft draft : drafts) {
      if (draft.problems.isEmpty()) {
        ok.add(new LoadedContract(draft.file, draft.problems.file(), draft.toContract()));
      } else {
        problems.addAll(draft.problems.list());
      }
    }
    return new LoadResult(ok, problems, files);
  }

  /** The major of an older-major file {@code <name>@<major>.yaml}, or null for an ordinary file. */
  public static Integer pinnedMajor(Path file) {
    var m = java.util.regex.Pattern.compile(".*@([0-9]+)\\.ya?ml$").matcher(file.getFileName().toString());
    return m.matches() ? Integer.valueOf(m.group(1)) : null;
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

  /**
   * Every live major of every feature set (an older major from its {@code <name>@<major>.yaml}):
   * what runs and is served. A major with {@code status: retired} is not live ({@link #retired}).
   */
  public List<FeatureSetContract> allMajors() {
    return majors.values().stream().flatMap(m -> m.values().stream()).map(LoadedContract::contract)
        .filter(c -> c.status() != dev.tessera.contracts.model.ContractStatus.RETIRED).toList();
  }

  /** The retired majors still in the directory: nothing runs or serves them; reads of them answer 410. */
  public List<FeatureSetContract> retired() {
    return majors.values().stream().flatMap(m -> m.values().stream()).map(LoadedContract::contract)
        .filter(c -> c.status() == dev.tessera.contracts.model.ContractStatus.RETIRED).toList();
  }

  /** The file a major was read from. */
  public Optional<LoadedContract> loaded(String name, int major) {
    return Optional.ofNullable(majors.get(name)).map(m -> m.get(major));
  }

  /** The majors of one feature set, oldest first (empty when unknown). */
  public List<FeatureSetContract> majors(String name) {
    var m = majors.get(name);
    return m == null ? List.of() : m.values().stream().map(LoadedContract::contract).toList();
  }

  /** One major of a feature set. */
  public Optional<FeatureSetContract> find(String name, int major) {
    return Optional.ofNullable(majors.get(name)).map(m -> m.get(major)).map(LoadedContract::contract);
  }

  /** The newest major of each feature set (what an unpinned name means). */
  public List<FeatureSetContract> all() {
    return byName.values().stream().map(LoadedContract::contract).toList();
  }

  public List<LoadedContract> loaded() {
    return List.copyOf(byName.values());
  }

  public Optional<FeatureSetContract> find(String name) {
    return Optional.ofNullable(byName.get(name)).map(LoadedContract::contract);
  }

  /**
   * A feature set as consumers name it: {@code <name>@<major>} is that major; a plain {@code
   * <name>} is its newest active major (the newest when none is active: a name never stops
   * resolving while a major of it is live).
   */
  public Optional<FeatureSetContract> resolve(String reference) {
    if (reference == null) {
      return Optional.empty();
    }
    int at = reference.lastIndexOf('@');
    if (at > 0) {
      try {
        return find(reference.substring(0, at), Integer.parseInt(reference.substring(at + 1)));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    List<FeatureSetContract> live = majors(reference);
    for (int i = live.size() - 1; i >= 0; i--) {
      if (live.get(i).status() == dev.tessera.contracts.model.ContractStatus.ACTIVE) {
        return Optional.of(live.get(i));
      }
    }
    return find(reference);
  }

  /** Every name a feature set can be read by: each name, and {@code <name>@<major>} for each live major. */
  public List<String> references() {
    List<String> out = new java.util.ArrayList<>();
    majors.forEach((name, byMajor) -> {
      out.add(name);
      byMajor.keySet().forEach(m -> out.add(name + "@" + m));
    });
    return out;
  }

  /** The contract a reference names ({@link #resolve}), or a NOT_FOUND error listing the known names and majors. */
  public FeatureSetContract get(String name) {
    return resolve(name).orElseThrow(() -> new TesseraException(
        ErrorCode.NOT_FOUND,
        "Cannot find feature set '" + name + "': known feature sets are " + String.join(", ", references())));
  }
}
