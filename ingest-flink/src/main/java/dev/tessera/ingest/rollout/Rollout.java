package dev.tessera.ingest.rollout;

import static java.util.Objects.requireNonNull;

import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.ingest.window.Layout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.iceberg.Table;

/**
 * What resuming a feature set's stream under a contract version does to the state it resumes
 * from: features added (they start empty, missing until a backfill), removed (dropped; only
 * deprecated ones may go within a major), and changed (same name, other aggregate: refused at
 * submit time, naming them, so a job never loops on restarts). The stream records the layout it
 * runs with in its offline table ({@value #PROPERTY}), which is how the next start knows.
 *
 * @param previous the layout of the last start, null when none was recorded
 * @param current the layout this start runs with
 */
public record Rollout(FeatureSetContract contract, Layout previous, Layout current) {
  /** Table property holding the window-state layout of the last start of the stream. */
  public static final String PROPERTY = "tessera.ingest.layout";

  public Rollout {
    requireNonNull(contract, "contract is null");
    requireNonNull(current, "current is null");
  }

  /** The layout recorded in {@code table} by the last start, if any. */
  public static Optional<Layout> recorded(Table table) {
    return Optional.ofNullable(table.properties().get(PROPERTY)).map(Layout::fromJson);
  }

  /** Records the layout this start runs with. */
  public void record(Table table) {
    if (!current.toJson().equals(table.properties().get(PROPERTY))) {
      table.updateProperties().set(PROPERTY, current.toJson()).commit();
    }
  }

  public List<String> added() {
    return current.features().stream().filter(d -> previous != null && previous.indexOf(d.name()) < 0).map(Layout.Def::name).toList();
  }

  public List<Layout.Def> removed() {
    return previous == null ? List.of() : previous.features().stream().filter(d -> current.indexOf(d.name()) < 0).toList();
  }

  /** Features whose aggregate changed under the same name: "name: old -> new". */
  public List<String> changed() {
    List<String> out = new ArrayList<>();
    if (previous != null) {
      for (Layout.Def now : current.features()) {
        int i = previous.indexOf(now.name());
        if (i >= 0 && !previous.features().get(i).sameAggregate(now)) {
          out.add(now.name() + ": " + previous.features().get(i).describe() + " -> " + now.describe());
        }
      }
    }
    return out;
  }

  /** Refuses a state this version cannot continue: changed aggregates, or a removed feature that was not deprecated. */
  public void check() {
    List<String> problems = new ArrayList<>();
    if (!changed().isEmpty()) {
      problems.add("feature(s) changed their aggregate under the same name (" + String.join("; ", changed())
          + "): that is a MAJOR change, give the feature a new name or release " + (contract.majorVersion() + 1) + ".0.0");
    }
    List<String> undeprecated = removed().stream().filter(d -> !d.deprecated()).map(Layout.Def::name).toList();
    if (!undeprecated.isEmpty()) {
      problems.add("feature(s) " + undeprecated + " were removed without being deprecated first: that is a MAJOR change");
    }
    if (!problems.isEmpty()) {
      throw new TesseraException(ErrorCode.INCOMPATIBLE_CHANGE, "Cannot resume " + contract.name() + " " + previous.version() + " -> "
          + current.version() + " from its state: " + String.join("; ", problems));
    }
  }

  /**
   * One line for {@code tessera up} and {@code tessera ingest}, e.g. {@code customer_activity
   * 1.0.0 -> 1.1.0: restored from savepoint, 1 feature added (txn_count_10m; backfill: tessera
   * backfill --feature-set customer_activity)}.
   */
  public String describe(String restoredFrom) {
    return describe(restoredFrom, false);
  }

  /** As {@link #describe(String)}; {@code backfilled}: the state resumed from was rebuilt from the events archive. */
  public String describe(String restoredFrom, boolean backfilled) {
    StringBuilder s = new StringBuilder(contract.name()).append(' ');
    s.append(previous == null ? current.version() : previous.version() + " -> " + current.version()).append(": ");
    if (previous == null && backfilled) {
      // never ran: a new major (or feature set) whose history a backfill of the events archive rebuilt
      return s.append("new, starting with the window state of a backfill of the events archive; it reads its topic from the"
          + " beginning and skips the events the backfill counted").toString();
    }
    s.append(restoredFrom == null ? "starting without state" : "restored from " + restoredFrom);
    List<String> added = added();
    List<Layout.Def> removed = removed();
    if (previous != null && added.isEmpty() && removed.isEmpty()) {
      s.append(previous.version().equals(current.version()) ? "" : ", no change to features");
      s.append(backfilled ? ", window state from a backfill of the events archive" : "");
    }
    if (!added.isEmpty()) {
      s.append(", ").append(added.size()).append(added.size() == 1 ? " feature" : " features").append(" added (")
          .append(String.join(", ", added)).append(backfilled ? "; backfilled from the events archive)"
              : "; missing until backfilled: tessera up --backfill, or tessera backfill --feature-set " + contract.name() + " while stopped)");
    }
    if (!removed.isEmpty()) {
      s.append(", ").append(removed.size()).append(" removed (")
          .append(removed.stream().map(d -> d.name() + (d.deprecated() ? ", deprecated" : "")).collect(Collectors.joining("; "))).append(')');
    }
    return s.toString();
  }
}
