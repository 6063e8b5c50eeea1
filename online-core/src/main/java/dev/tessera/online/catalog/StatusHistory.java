package dev.tessera.online.catalog;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live status of each served feature set major over the last hour, sampled at a fixed
 * interval ({@code tessera.online.status-sample-interval}) by the service: what the catalog's
 * charts draw. Completeness is per interval (the lookups answered OK among those made since the
 * sample before), not since start, so a bad minute shows. Memory: one small point per major per
 * sample, an hour kept.
 */
public final class StatusHistory {
  public static final long WINDOW_MILLIS = 3_600_000;

  /**
   * One sample. {@code completeness}: OK answers over lookups since the previous sample (null when
   * none were made); freshness and changelog lag as the live status showed them (null when unknown).
   */
  public record Point(long at, Long freshnessP50Ms, Long freshnessP99Ms, Double completeness, Long changelogLag) {}

  private record Counts(long lookups, long ok) {}

  private final Map<String, Deque<Point>> points = new ConcurrentHashMap<>();
  private final Map<String, Counts> last = new ConcurrentHashMap<>();

  /** Records the status of {@code majorId} ({@code <name>@<major>}) at {@code now}. */
  public void sample(String majorId, LiveStatus status, long now) {
    LiveStatus.Completeness c = status.completeness();
    Counts before = last.put(majorId, new Counts(c.lookups(), c.ok()));
    Double completeness = null;
    if (before != null && c.lookups() > before.lookups()) {
      completeness = (double) (c.ok() - before.ok()) / (c.lookups() - before.lookups());
    }
    Point p = new Point(now, status.freshness().p50Ms(), status.freshness().p99Ms(), completeness,
        status.changelog() == null ? null : status.changelog().lagRecords());
    Deque<Point> q = points.computeIfAbsent(majorId, k -> new ArrayDeque<>());
    synchronized (q) {
      q.addLast(p);
      while (!q.isEmpty() && q.peekFirst().at() < now - WINDOW_MILLIS) {
        q.removeFirst();
      }
    }
  }

  /** The samples of the last hour, oldest first. */
  public List<Point> lastHour(String majorId) {
    Deque<Point> q = points.get(majorId);
    if (q == null) {
      return List.of();
    }
    synchronized (q) {
      return new ArrayList<>(q);
    }
  }
}
