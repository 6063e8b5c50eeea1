package dev.tessera.contracts.compatibility;

import dev.tessera.contracts.model.Consumer;
import dev.tessera.contracts.model.ContractStatus;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.SemVer;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.registry.LoadResult;
import dev.tessera.contracts.registry.LoadedContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The contract pull-request check: compares the contracts of the base branch with the head
 * branch's. It fails when a changed contract declares a smaller version bump than its changes
 * require, a new contract does not start at 1.0.0 (or 0.x), a new major of an existing feature
 * set does not start at N.0.0 above its newest major, a major with consumers is deleted before its
 * sunset (or without one), a major is retired without a sunset, or a head contract is invalid.
 * Contracts pair by feature set and major, so moving the old major to {@code <name>@<major>.yaml}
 * beside a new major is no deletion.
 */
public final class ContractCheck {
  private final CompatibilityChecker checker = new CompatibilityChecker();
  private final java.time.Clock clock;

  public ContractCheck() {
    this(java.time.Clock.systemUTC());
  }

  /** @param clock decides whether a sunset has been reached (UTC dates) */
  public ContractCheck(java.time.Clock clock) {
    this.clock = clock;
  }

  public CheckReport run(Path baseDir, Path headDir) {
    LoadResult base = ContractRegistry.load(List.of(baseDir));
    LoadResult head = ContractRegistry.load(List.of(headDir));
    Map<String, LoadedContract> bases = new TreeMap<>();
    base.contracts().forEach(c -> bases.put(c.contract().majorId(), c));
    Map<String, LoadedContract> heads = new TreeMap<>();
    head.contracts().forEach(c -> heads.put(c.contract().majorId(), c));

    // a feature set's unpinned file whose major changed in place pairs with its base (a MAJOR bump, or a
    // version going backwards), not as a deletion and an addition
    Map<String, String> inPlace = new TreeMap<>(); // head major id -> base major id
    for (var h : heads.entrySet()) {
      if (!bases.containsKey(h.getKey()) && ContractRegistry.pinnedMajor(h.getValue().file()) == null) {
        bases.forEach((id, b) -> {
          if (!heads.containsKey(id) && b.contract().name().equals(h.getValue().contract().name())
              && ContractRegistry.pinnedMajor(b.file()) == null) {
            inPlace.put(h.getKey(), id);
          }
        });
      }
    }
    List<CheckReport.Entry> entries = new ArrayList<>();
    for (var e : heads.entrySet()) {
      LoadedContract old = bases.get(inPlace.getOrDefault(e.getKey(), e.getKey()));
      entries.add(old == null ? added(e.getValue(), bases) : changed(old, e.getValue()));
    }
    for (var e : bases.entrySet()) {
      if (!heads.containsKey(e.getKey()) && !inPlace.containsValue(e.getKey()) && !headHasBrokenFileFor(e.getValue(), head)) {
        entries.add(deleted(e.getValue()));
      }
    }
    return new CheckReport(entries, head.problems(), base.problems());
  }

  /** A contract whose head file fails to parse is reported as invalid, not as deleted. */
  private static boolean headHasBrokenFileFor(LoadedContract base, LoadResult head) {
    String fileName = base.file().getFileName().toString();
    return head.problems().stream().anyMatch(p -> Path.of(p.file()).getFileName().toString().equals(fileName));
  }

  private CheckReport.Entry added(LoadedContract head, Map<String, LoadedContract> bases) {
    FeatureSetContract c = head.contract();
    SemVer v = c.version();
    List<String> failures = new ArrayList<>();
    int newestBase = bases.values().stream().map(LoadedContract::contract).filter(b -> b.name().equals(c.name()))
        .mapToInt(FeatureSetContract::majorVersion).max().orElse(-1);
    if (newestBase >= 0) {
      // a new major beside the ones already served
      if (v.major() <= newestBase || v.minor() != 0 || v.patch() != 0 || !v.preRelease().isEmpty()) {
        failures.add("a new major of " + c.name() + " must start at " + (newestBase + 1) + ".0.0 (its newest major is "
            + newestBase + "), not " + v);
      }
    } else if (!(v.major() == 0 || (v.major() == 1 && v.minor() == 0 && v.patch() == 0))) {
      failures.add("a new contract must start at 1.0.0 (or 0.x while unstable), not " + v);
    }
    return new CheckReport.Entry(c.name(), CheckReport.Kind.ADDED, head.displayName(), null, v.toString(),
        Bump.MINOR, null, List.of(), failures, List.of());
  }

  private CheckReport.Entry changed(LoadedContract base, LoadedContract head) {
    ContractDiff diff = checker.diff(base.contract(), head.contract());
    List<String> failures = new ArrayList<>();
    Bump declared = diff.declaredBump();
    if (declared == null) {
      failures.add("version went backwards from " + base.contract().version() + " to " + head.contract().version());
    } else if (!diff.versionSufficient()) {
      failures.add("declared " + declared + " bump (" + base.contract().version() + " → "
          + head.contract().version() + ") but the changes require " + diff.requiredBump());
    }
    FeatureSetContract h = head.contract();
    if (h.status() == ContractStatus.RETIRED && base.contract().status() != ContractStatus.RETIRED && !h.consumers().isEmpty()
        && !h.sunsetReached(java.time.LocalDate.now(clock))) {
      failures.add(h.sunset() == null
          ? "retired without a sunset while consumers " + CompatibilityChecker.consumerList(h.consumers())
              + " depend on it: first release it with `status: deprecated`, a `sunset` date and a `replacement`"
          : "retired before its sunset " + h.sunset() + " while consumers " + CompatibilityChecker.consumerList(h.consumers())
              + " depend on it");
    }
    List<Consumer> notify = diff.requiredBump() == Bump.MAJOR ? affected(base.contract(), head.contract()) : List.of();
    CheckReport.Kind kind = diff.changes().isEmpty() && declared == Bump.NONE
        ? CheckReport.Kind.UNCHANGED : CheckReport.Kind.CHANGED;
    return new CheckReport.Entry(head.contract().name(), kind, head.displayName(),
        base.contract().version().toString(), head.contract().version().toString(),
        diff.requiredBump(), declared, diff.changes(), failures, notify);
  }

  private CheckReport.Entry deleted(LoadedContract base) {
    FeatureSetContract c = base.contract();
    List<String> failures = new ArrayList<>();
    boolean warned = c.status() == ContractStatus.DEPRECATED || c.status() == ContractStatus.RETIRED;
    if (!c.consumers().isEmpty()) {
      String who = CompatibilityChecker.consumerList(c.consumers());
      if (!warned || c.sunset() == null) {
        failures.add("deleted while consumers " + who + " depend on it and it has no sunset: first release it with "
            + "`status: deprecated`, a `sunset` date and a `replacement`, then delete it on or after the sunset");
      } else if (!c.sunsetReached(java.time.LocalDate.now(clock))) {
        failures.add("deleted before its sunset " + c.sunset() + " while consumers " + who + " depend on it");
      }
    }
    return new CheckReport.Entry(c.name(), CheckReport.Kind.DELETED, base.displayName(),
        c.version().toString(), null, Bump.MAJOR, null, List.of(), failures, c.consumers());
  }

  /** Consumers of either version: a removed consumer still deserves to hear of a break. */
  private static List<Consumer> affected(FeatureSetContract o, FeatureSetContract n) {
    List<Consumer> all = new ArrayList<>(o.consumers());
    n.consumers().stream().filter(c -> all.stream().noneMatch(a -> a.name().equals(c.name()))).forEach(all::add);
    return all;
  }
}
