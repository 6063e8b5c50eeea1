package dev.tessera.online.catalog;

import dev.tessera.contracts.compatibility.CompatibilityChecker;
import dev.tessera.contracts.compatibility.ContractDiff;
import dev.tessera.contracts.compatibility.DiffRenderer;
import dev.tessera.contracts.compatibility.ReportFormat;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.SemVer;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.registry.LoadedContract;
import dev.tessera.online.store.OnlineStore;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions of each feature set that replicas sharing the online store have served, with what
 * changed at each: the {@code tessera contract diff} of every version against the one before it.
 * At start-up the service keeps the YAML (and source schema) of every contract it serves in the store ({@link
 * OnlineStore#saveContract}, first serving wins), so the history outlives restarts and covers
 * every replica and every major. A version's text never changes, so each diff is computed once.
 */
public final class ContractHistory {
  private static final Logger LOG = LoggerFactory.getLogger(ContractHistory.class);

  /**
   * One version: when it was first served, its YAML, and the changes from {@code previous} (null
   * for the first version kept) as {@code tessera contract diff} prints them, with the bump.
   */
  public record Version(String version, long firstServedMillis, String yaml, String previous, String diff, String requiredBump,
      boolean current) {}

  private final OnlineStore store;
  private final ContractRegistry registry;
  private final Map<String, FeatureSetContract> parsed = new ConcurrentHashMap<>();
  private final Map<String, ContractDiff> diffs = new ConcurrentHashMap<>();

  public ContractHistory(OnlineStore store, ContractRegistry registry) {
    this.store = store;
    this.registry = registry;
  }

  /** Keeps the YAML of every served contract version the store does not hold yet. */
  public ContractHistory record() {
    long now = System.currentTimeMillis();
    registry.allMajors().forEach(c -> registry.loaded(c.name(), c.majorVersion()).ifPresent(l -> record(l, now)));
    return this;
  }

  private void record(LoadedContract loaded, long now) {
    try {
      FeatureSetContract c = loaded.contract();
      String schemaPath = c.source().schemaPath();
      java.nio.file.Path dir = loaded.file().toAbsolutePath().getParent();
      store.saveContract(new OnlineStore.ContractVersion(c.name(), c.version().toString(), now, Files.readString(loaded.file()),
          Map.of(schemaPath, Files.readString(dir.resolve(schemaPath)))));
    } catch (IOException e) {
      LOG.warn("Cannot keep {} in the contract history: {}", loaded.displayName(), e.toString());
    }
  }

  /** The versions of feature set {@code name}, oldest first. */
  public List<Version> versions(String name) {
    List<OnlineStore.ContractVersion> kept = new ArrayList<>(store.contracts().stream().filter(v -> v.name().equals(name)).toList());
    kept.sort(Comparator.comparing(v -> SemVer.tryParse(v.version()).orElse(SemVer.of(0, 0, 0))));
    List<String> served = registry.majors(name).stream().map(c -> c.version().toString()).toList();
    List<Version> out = new ArrayList<>();
    OnlineStore.ContractVersion before = null;
    for (OnlineStore.ContractVersion v : kept) {
      String diff = null;
      String bump = null;
      if (before != null) {
        try {
          ContractDiff d = diff(before, v);
          diff = DiffRenderer.render(d, ReportFormat.TEXT);
          bump = d.requiredBump().name();
        } catch (RuntimeException unreadable) {
          diff = "cannot compare with " + before.version() + ": " + unreadable.getMessage();
        }
      }
      out.add(new Version(v.version(), v.firstServedMillis(), v.yaml(), before == null ? null : before.version(), diff, bump,
          served.contains(v.version())));
      before = v;
    }
    return out;
  }

  private ContractDiff diff(OnlineStore.ContractVersion from, OnlineStore.ContractVersion to) {
    return diffs.computeIfAbsent(from.name() + "@" + from.version() + ">" + to.version(),
        k -> new CompatibilityChecker().diff(contract(from), contract(to)));
  }

  private FeatureSetContract contract(OnlineStore.ContractVersion v) {
    return parsed.computeIfAbsent(v.name() + "@" + v.version(), k -> ContractRegistry.parseText(k, v.yaml(), v.files()));
  }
}
