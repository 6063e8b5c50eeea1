package dev.tessera.ingest.window;

import java.util.ArrayList;
import java.util.List;

/**
 * Folds of one key's window state at recent times, for fresh rows (not state: rebuilt on demand).
 * Each {@link Snap} at time {@code s} is the fold of the held buckets inside the windows of
 * {@link #bucket} followed by every pending event with time at or before {@code s}, in pending
 * order: exactly the first part of the fold from scratch of any later time in the same bucket.
 * So a fresh row at {@code t} is the newest snap at or before {@code t} followed by the pending
 * events after it up to {@code t}: the same operations in the same order as folding from scratch,
 * so the same bits, in time proportional to the events since that snap rather than to every
 * bucket and pending event of the key.
 *
 * <p>The last snap is the head, extended in place by in-order events. Every {@link #FREEZE_EVERY}
 * events folded (from scratch or by extension) a copy stays behind, so that an event a little out
 * of order (two source partitions interleaved) restarts from a nearby snap. An event at {@code t}
 * makes every snap at or after {@code t} stale (they lack it); they are dropped. Memory: one
 * fold per {@link #FREEZE_EVERY} pending events, and none for keys with few.
 */
final class FreshFolds {
  /** Events folded into the head before a copy of it is kept. */
  static final int FREEZE_EVERY = 64;
  /** Below this many pending events a fold from scratch is cheap: no snaps are kept. */
  static final int MIN_PENDING = 32;

  /** The hop bucket whose window bounds the snaps' bucket folds. */
  final long bucket;
  /** Ascending time; the last is the head. */
  final List<Snap> snaps = new ArrayList<>();

  FreshFolds(long bucket) {
    this.bucket = bucket;
  }

  static final class Snap {
    final long time;
    final PartialAggregate[] acc;
    /** Events folded since this snap was created or last frozen. */
    int sinceFrozen;
    boolean frozen;

    Snap(long time, PartialAggregate[] acc, int sinceFrozen) {
      this.time = time;
      this.acc = acc;
      this.sinceFrozen = sinceFrozen;
    }
  }

  /** Keeps a copy of {@code acc}, the fold up to {@code time}, after the snaps before it. */
  void freeze(long time, PartialAggregate[] acc) {
    Snap s = new Snap(time, copy(acc), 0);
    s.frozen = true;
    snaps.add(s);
  }

  /** The newest snap at or before {@code t}, or null. */
  Snap at(long t) {
    for (int i = snaps.size() - 1; i >= 0; i--) {
      if (snaps.get(i).time <= t) {
        return snaps.get(i);
      }
    }
    return null;
  }

  /** Drops every snap at or after {@code t}. */
  void dropFrom(long t) {
    while (!snaps.isEmpty() && snaps.get(snaps.size() - 1).time >= t) {
      snaps.remove(snaps.size() - 1);
    }
  }

  static PartialAggregate[] copy(PartialAggregate[] acc) {
    PartialAggregate[] c = new PartialAggregate[acc.length];
    for (int i = 0; i < acc.length; i++) {
      c[i] = acc[i].copy();
    }
    return c;
  }
}
