package dev.tessera.ingest.window;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the window logic keeps for one entity key. Windowed features keep one partial per
 * hop bucket, and only while the bucket is inside some window; features without a window keep one
 * running partial. Events not yet final wait in {@link #pending}. So state per key is bounded by
 * {@code max(window)/hop} buckets of {@code #features} partials, plus the events within the
 * lateness horizon, never by the number of events seen.
 */
public final class KeyState {
  /** What the partials and pending fields below mean, by name. */
  final Layout layout;
  /** Bucket index ({@code floor(time/hop)}) to one partial per feature (null for unwindowed ones). */
  final Buckets buckets = new Buckets();
  /** Running all-history partials of unwindowed features. */
  final PartialAggregate[] history;
  /** Events not yet applied to buckets: event time to events in arrival order. */
  final TreeMap<Long, List<Pending>> pending = new TreeMap<>();
  /** Every time at or before this is final (its rows were emitted). */
  long finalizedUntil = Long.MIN_VALUE;
  /** Values of the last final row, or null before the first. */
  Object[] lastFinal;
  /** Sequence of the last row emitted for this key (fresh or final); later rows win ties online. */
  long sequence;
  /**
   * Per feature (layout order), null when every feature is complete: the time from which a feature
   * added by a later minor version has seen every event of this key ({@link Long#MIN_VALUE}:
   * complete). Its value at {@code t} is served only when its whole window lies after that time;
   * a feature without a window needs a backfill.
   */
  long[] coveredFrom;

  /**
   * Not state (never encoded, not copied, dropped by every finalization): folds behind recent
   * fresh rows, so that the next row extends one instead of folding every bucket and pending event
   * again ({@link FreshFolds}). Null: fold from scratch.
   */
  FreshFolds freshFolds;

  record Pending(long seq, Object[] fields) {}

  KeyState(Layout layout) {
    this.layout = layout;
    history = new PartialAggregate[layout.features().size()];
  }

  /** The layout this state is in. */
  public Layout layout() {
    return layout;
  }

  /** Features (by name) that have not seen this key's whole history; empty when all have. */
  public java.util.List<String> incompleteFeatures() {
    java.util.List<String> out = new ArrayList<>();
    if (coveredFrom != null) {
      for (int i = 0; i < coveredFrom.length; i++) {
        if (coveredFrom[i] != Long.MIN_VALUE) {
          out.add(layout.features().get(i).name());
        }
      }
    }
    return out;
  }

  /** Number of hop buckets held (for the state bound in tests and metrics). */
  public int bucketCount() {
    return buckets.size();
  }

  /** Number of distinct event times waiting to become final (O(1), unlike {@link #pendingCount}). */
  public int pendingTimes() {
    return pending.size();
  }

  /** Number of events waiting to become final. */
  public int pendingCount() {
    return pending.values().stream().mapToInt(List::size).sum();
  }

  /** Every time at or before this is final. */
  public long finalizedUntil() {
    return finalizedUntil;
  }

  /**
   * A deep copy, equal to decoding this state's encoding (KeyStateSerializerTest checks that):
   * partials and containers are new, the immutable values (numbers, strings) and the events' field
   * arrays (never changed once pending) are shared.
   */
  public KeyState copy() {
    KeyState c = new KeyState(layout);
    for (int i = 0; i < history.length; i++) {
      c.history[i] = history[i] == null ? null : history[i].copy();
    }
    for (int b = buckets.start(), end = buckets.end(); b < end; b++) {
      PartialAggregate[] from = buckets.value(b);
      PartialAggregate[] to = new PartialAggregate[from.length];
      for (int i = 0; i < from.length; i++) {
        to[i] = from[i] == null ? null : from[i].copy();
      }
      c.buckets.put(buckets.key(b), to);
    }
    for (Map.Entry<Long, List<Pending>> e : pending.entrySet()) {
      c.pending.put(e.getKey(), new ArrayList<>(e.getValue()));
    }
    c.finalizedUntil = finalizedUntil;
    c.lastFinal = lastFinal == null ? null : lastFinal.clone();
    c.sequence = sequence;
    c.coveredFrom = coveredFrom == null ? null : coveredFrom.clone();
    return c;
  }

  Pending addPending(long time, long seq, Object[] fields) {
    Pending p = new Pending(seq, fields);
    pending.computeIfAbsent(time, t -> new ArrayList<>()).add(p);
    return p;
  }
}
