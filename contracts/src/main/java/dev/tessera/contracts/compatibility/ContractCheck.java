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
 * require, a new contract does not start at 1.0.0 (or 0.x), a contract with consumers is deleted
 * without first being deprecated, or a head contract is invalid.
 */
public final class ContractCheck {
  private final CompatibilityChecker checker = new CompatibilityChecker();

  public CheckReport run(Path baseDir, Path headDir) {
    LoadResult base = ContractRegistry.load(List.of(baseDir));
    LoadResult head = ContractRegistry.load(List.of(headDir));
    Map<String, LoadedContract> bases = new TreeMap<>();
    base.contracts().forEach(c -> bases.put(c.contract().name(), c));
    Map<String, LoadedContract> heads = new TreeMap<>();
    head.contracts().forEach(c -> heads.put(c.contract().name(), c));

    List<CheckReport.Entry> entries = new ArrayList<>();
    for (var e : heads.entrySet()) {
      LoadedContract old = bases.get(e.getKey());
      entries.add(old == null ? added(e.getValue()) : changed(old, e.getValue()));
    }
    for (var e : bases.entrySet()) {
      if (!heads.containsKey(e.getKey()) && !headHasBrokenFileFor(e.getValue(), head)) {
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

  private CheckReport.Entry added(LoadedContract head) {
    FeatureSetContract c = head.contract();
    SemVer v = c.version();
    List<String> failures = new ArrayList<>();
    boolean startsRight = v.major() == 0 || (v.major() == 1 && v.minor() == 0 && v.patch() == 0);
    if (!startsRight) {
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
    if (!c.consumers().isEmpty() && !warned) {
      failures.add("deleted while consumers " + CompatibilityChecker.consumerList(c.consumers())
          + " depend on it: first release it with `status: deprecated`, then delete it");
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
