package dev.tessera.ingest.window;

import dev.tessera.contracts.model.AggregateFunction;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The window logic of one feature set (docs/ingest.md, "Window logic"): an aggregate with window W and
 * hop H read at time t covers the key's events with event time in
 * {@code [floor(t/H)*H - W + H, t]}; without a window, all history up to t. Over an empty window
 * count and sum are 0 and the others null; first/last pick by event time (ties: arrival
 * sequence).
 *
 * <p>Two kinds of rows come out. A <b>fresh</b> row per accepted event: the values at the event's
 * time over every event seen so far (for the online store). <b>Final</b> rows when time is
 * finalized: one at each event time, and one at each bucket-expiry boundary {@code k*H} where a
 * value changes because a bucket left a window. A final row is valid until the key's next final
 * row, so the rows form a step function equal to the definition at every instant.
 *
 * <p>Finalization applies events in (time, sequence) order, so the final rows do not depend on
 * arrival order: a replay in another order gives the same rows.
 *
 * <p>{@code
 * FeatureWindows windows = new FeatureWindows(contract);
 * KeyState state = windows.newState();
 * FeatureValues fresh = windows.onEvent(state, eventTime, seq, windows.project(fieldsByName));
 * List<FeatureValues> finals = windows.finalizeUntil(state, watermark - allowedLateness);
 * }
 *
 * <p>Not thread-safe (it keeps scratch folds between calls): one instance per task.
 */
public final class FeatureWindows {
  private final long hop;
  private final AggregateFunction[] functions;
  private final int[] fieldIndex; // -1: count of events
  private final long[] windowBuckets; // 0: all history
  private final FeatureType[] types;
  private final boolean[] integralInput;
  private final List<String> fields;
  private final long[] distinctWindows;
  private final long maxWindowBuckets;
  private final Layout layout;
  /** Up to this many held buckets, scanning them all is cheaper than range lookups per window. */
  private static final int SCAN_BUCKETS = 32;
  /** False only in tests: every row folded from scratch, the reference the incremental folds must equal bit for bit. */
  private final boolean incremental;
  /** Scratch folds for rows whose fold is not kept (final rows, fresh rows of keys with few events): none allocated per row. */
  private final PartialAggregate[] scratch;
  /** The times a finalization visits, reused across calls. */
  private final Times times = new Times();

  public FeatureWindows(FeatureSetContract contract) {
    this(contract, true);
  }

  FeatureWindows(FeatureSetContract contract, boolean incremental) {
    this.incremental = incremental;
    this.hop = contract.windowHop().toMillis();
    List<Feature> features = contract.features();
    int n = features.size();
    functions = new AggregateFunction[n];
    fieldIndex = new int[n];
    windowBuckets = new long[n];
    types = new FeatureType[n];
    integralInput = new boolean[n];
    fields = new ArrayList<>();
    TreeSet<Long> windows = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      Feature f = features.get(i);
      functions[i] = f.aggregate().function();
      types[i] = f.type();
      String field = f.aggregate().field();
      if (field == null) {
        fieldIndex[i] = -1;
      } else {
        if (!fields.contains(field)) {
          fields.add(field);
        }
        fieldIndex[i] = fields.indexOf(field);
      }
      windowBuckets[i] = f.aggregate().window() == null ? 0 : f.aggregate().window().toMillis() / hop;
      if (windowBuckets[i] > 0) {
        windows.add(windowBuckets[i]);
      }
      // sum of a long field is long (exact); of a float/double field double: decided by the contract type
      integralInput[i] = f.type() == FeatureType.LONG || f.type() == FeatureType.INT;
    }
    distinctWindows = windows.stream().mapToLong(Long::longValue).toArray();
    maxWindowBuckets = windows.isEmpty() ? 0 : windows.last();
    layout = Layout.of(contract, fields);
    scratch = new PartialAggregate[n];
    for (int i = 0; i < n; i++) {
      scratch[i] = new PartialAggregate();
    }
  }

  /** The hop in milliseconds. */
  long hop() {
    return hop;
  }

  /** The distinct window lengths, in hops. */
  long[] distinctWindowBuckets() {
    return distinctWindows.clone();
  }

  /** What this contract version's state holds, by name. */
  public Layout layout() {
    return layout;
  }

  /**
   * The state of a key in this contract version's layout: {@code state} itself when it already
   * is, else migrated by name ({@link Migration}).
   */
  public KeyState adopt(KeyState state) {
    return Migration.adopt(state, layout);
  }

  /** The source fields the features read, in the order {@link #project} expects them. */
  public List<String> fieldNames() {
    return List.copyOf(fields);
  }

  /** The fields of an event, in {@link #fieldNames()} order. */
  public Object[] project(Map<String, Object> event) {
    Object[] out = new Object[fields.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = event.get(fields.get(i));
    }
    return out;
  }

  public KeyState newState() {
    return new KeyState(layout);
  }

  /** A new state whose row sequence starts after {@code sequence} (a backfill's epoch). */
  public KeyState newState(long sequence) {
    KeyState s = new KeyState(layout);
    s.sequence = sequence;
    return s;
  }

  /**
   * Accepts one event and returns its fresh row. The caller routes events at or before the
   * finalized time to the DLQ (they are later than the allowed lateness); this throws for them.
   */
  public FeatureValues onEvent(KeyState state, long time, long seq, Object[] eventFields) {
    if (time <= state.finalizedUntil) {
      throw new IllegalArgumentException("event at " + time + " is not after the finalized time " + state.finalizedUntil);
    }
    KeyState.Pending event = state.addPending(time, seq, eventFields);
    return new FeatureValues(time, ++state.sequence, freshValues(state, time, event), false, missingAt(state, time));
  }

  /**
   * The fresh values at {@code t}, the new event {@code e} (pending already) included: the newest
   * {@link FreshFolds} snap at or before {@code t} followed by the pending events after it up to
   * {@code t}. Those are the same operations in the same order as folding from scratch, so the
   * same bits; for an in-order event it is the event alone, however many events the key holds (a
   * hot key), and for one a little out of order the events since a nearby snap. From scratch when
   * there is no such snap (the first event after a finalization, or one in another hop bucket);
   * a key with many pending events keeps snaps along the way.
   */
  private Object[] freshValues(KeyState state, long t, KeyState.Pending e) {
    if (!incremental) {
      return values(state, t, fold(state, t, true, null));
    }
    long current = Math.floorDiv(t, hop);
    FreshFolds folds = state.freshFolds;
    FreshFolds.Snap base = folds != null && folds.bucket == current ? folds.at(t) : null;
    PartialAggregate[] acc;
    int since;
    SortedMap<Long, List<KeyState.Pending>> rest;
    if (base == null) {
      if (state.pending.size() < FreshFolds.MIN_PENDING) {
        state.freshFolds = null;
        return values(state, t, fold(state, t, true, scratch));
      }
      acc = fold(state, t, false, null); // kept as a snap; the buckets, then the pending events below, as fold(.., true) would
      folds = new FreshFolds(current);
      state.freshFolds = folds;
      since = 0;
      rest = state.pending.headMap(t, true);
    } else {
      acc = base.frozen ? FreshFolds.copy(base.acc) : base.acc;
      since = base.frozen ? 0 : base.sinceFrozen;
      if (!base.frozen) {
        folds.snaps.remove(folds.snaps.size() - 1); // the head: replaced below
      }
      folds.dropFrom(t); // they lack e
      if (base.time == t) {
        for (int f = 0; f < acc.length; f++) {
          add(acc[f], f, t, e);
        }
        since++;
        rest = null;
      } else {
        rest = state.pending.subMap(base.time, false, t, true);
      }
    }
    if (rest != null) {
      long[] low = new long[acc.length];
      for (int f = 0; f < acc.length; f++) {
        low[f] = windowBuckets[f] == 0 ? Long.MIN_VALUE : current - windowBuckets[f] + 1;
      }
      for (Map.Entry<Long, List<KeyState.Pending>> entry : rest.entrySet()) {
        long bucket = Math.floorDiv(entry.getKey(), hop);
        for (KeyState.Pending p : entry.getValue()) {
          for (int f = 0; f < acc.length; f++) {
            if (bucket >= low[f]) {
              add(acc[f], f, entry.getKey(), p);
            }
          }
          since++;
        }
        if (since >= FreshFolds.FREEZE_EVERY) {
          folds.freeze(entry.getKey(), acc);
          since = 0;
        }
      }
    }
    folds.snaps.add(new FreshFolds.Snap(t, acc, since));
    return values(state, t, acc);
  }

  /** Finalizes every time at or before {@code until} and returns the final rows, oldest first. */
  public List<FeatureValues> finalizeUntil(KeyState state, long until) {
    List<FeatureValues> out = new ArrayList<>();
    if (until <= state.finalizedUntil) {
      return out;
    }
    state.freshFolds = null; // pending events become bucket partials: the next fresh row folds from scratch
    Times times = this.times;
    times.clear();
    for (long t : state.pending.headMap(until, true).keySet()) {
      times.add(t);
    }
    addBoundaries(times, state, state.finalizedUntil, until);
    FinalFold base = new FinalFold();
    long previous = Long.MIN_VALUE; // every time visited is after the finalized time, so after this
    while (!times.isEmpty()) {
      long t = times.poll();
      if (t == previous) {
        continue;
      }
      previous = t;
      List<KeyState.Pending> events = state.pending.remove(t);
      if (events != null) {
        events.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        for (KeyState.Pending e : events) {
          long bucket = Math.floorDiv(t, hop);
          if (apply(state, bucket, t, e)) {
            addBoundaries(times, bucket, t, until);
          }
        }
      }
      Object[] values = values(state, t, incremental ? finalFold(state, t, base) : fold(state, t, false, null));
      if (events != null || !Arrays.equals(values, state.lastFinal)) {
        out.add(new FeatureValues(t, ++state.sequence, values, true, missingAt(state, t)));
        state.lastFinal = values;
      }
      state.finalizedUntil = t;
    }
    state.finalizedUntil = until;
    evict(state);
    completeCoverage(state);
    return out;
  }

  /**
   * Per feature, the fold of the held buckets in {@code [low[f], bucket)}, for the final rows at
   * times in {@code bucket}. Within one {@link #finalizeUntil} those buckets no longer change
   * (events are applied in time order, each to its own bucket), so the rows of a bucket share it,
   * and a later bucket's fold extends it when no held bucket left the feature's window meanwhile.
   */
  private static final class FinalFold {
    long bucket = Long.MIN_VALUE;
    PartialAggregate[] acc;
    long[] low;
    boolean[] extend;
  }

  /**
   * The final fold at {@code t}: the shared fold of the earlier buckets, then {@code t}'s own
   * bucket. The same merges in the same order as {@link #fold}, so the same bits: a fold moving to
   * a later bucket is extended by the buckets in between only when none dropped out of the
   * window (else that feature folds again from its window's start).
   */
  private PartialAggregate[] finalFold(KeyState state, long t, FinalFold base) {
    long current = Math.floorDiv(t, hop);
    int n = functions.length;
    Buckets buckets = state.buckets;
    if (base.acc == null || base.bucket != current) {
      boolean first = base.acc == null;
      if (first) {
        base.acc = new PartialAggregate[n];
        base.low = new long[n];
        base.extend = new boolean[n];
      }
      boolean anyExtends = false;
      for (int f = 0; f < n; f++) {
        if (windowBuckets[f] == 0) {
          continue;
        }
        long low = current - windowBuckets[f] + 1;
        int left = first ? 0 : buckets.ceiling(base.low[f]);
        base.extend[f] = !first && (left == buckets.end() || buckets.key(left) >= low);
        if (base.extend[f]) {
          anyExtends = true;
        } else {
          if (base.acc[f] == null) {
            base.acc[f] = new PartialAggregate();
          } else {
            base.acc[f].clear();
          }
          if (low < current) {
            for (int i = buckets.ceiling(low), end = buckets.end(); i < end && buckets.key(i) < current; i++) {
              PartialAggregate[] slots = buckets.value(i);
              if (slots[f] != null) {
                base.acc[f].merge(functions[f], slots[f]);
              }
            }
          }
        }
        base.low[f] = low;
      }
      if (anyExtends) {
        for (int i = buckets.ceiling(base.bucket), end = buckets.end(); i < end && buckets.key(i) < current; i++) {
          PartialAggregate[] slots = buckets.value(i);
          long bucket = buckets.key(i);
          for (int f = 0; f < n; f++) {
            if (base.extend[f] && bucket >= base.low[f] && slots[f] != null) {
              base.acc[f].merge(functions[f], slots[f]);
            }
          }
        }
      }
      base.bucket = current;
    }
    PartialAggregate[] slots = buckets.get(current);
    PartialAggregate[] acc = scratch; // only read for the row's values
    for (int f = 0; f < n; f++) {
      if (windowBuckets[f] == 0) {
        acc[f].clear();
        if (state.history[f] != null) {
          acc[f].merge(functions[f], state.history[f]);
        }
      } else {
        acc[f].set(base.acc[f]);
        if (slots != null && slots[f] != null) {
          acc[f].merge(functions[f], slots[f]);
        }
      }
    }
    return acc;
  }

  /**
   * The features whose value at {@code t} is not served: added by a minor version and their
   * window reaches back before the first event they saw; null when none.
   */
  private BitSet missingAt(KeyState state, long t) {
    if (state.coveredFrom == null) {
      return null;
    }
    BitSet missing = null;
    for (int f = 0; f < functions.length; f++) {
      if (state.coveredFrom[f] != Long.MIN_VALUE && windowStart(f, t) < state.coveredFrom[f]) {
        if (missing == null) {
          missing = new BitSet(functions.length);
        }
        missing.set(f);
      }
    }
    return missing;
  }

  /** The start of feature {@code f}'s window read at {@code t}; {@code Long.MIN_VALUE} for all history. */
  private long windowStart(int f, long t) {
    return windowBuckets[f] == 0 ? Long.MIN_VALUE : (Math.floorDiv(t, hop) - windowBuckets[f] + 1) * hop;
  }

  /** Clears the marks of added features whose window now lies after the first event they saw. */
  private void completeCoverage(KeyState state) {
    if (state.coveredFrom == null || state.finalizedUntil == Long.MIN_VALUE) {
      return;
    }
    boolean any = false;
    for (int f = 0; f < functions.length; f++) {
      if (state.coveredFrom[f] != Long.MIN_VALUE && windowStart(f, state.finalizedUntil) >= state.coveredFrom[f]) {
        state.coveredFrom[f] = Long.MIN_VALUE;
      }
      any |= state.coveredFrom[f] != Long.MIN_VALUE;
    }
    if (!any) {
      state.coveredFrom = null;
    }
  }

  /**
   * The earliest time at which {@link #finalizeUntil} has something to do: the oldest pending
   * event or the next expiry boundary of a held bucket; {@code Long.MAX_VALUE} when none. A job
   * sets its timer here.
   */
  public long nextTime(KeyState state) {
    long next = state.pending.isEmpty() ? Long.MAX_VALUE : state.pending.firstKey();
    Buckets buckets = state.buckets;
    if (buckets.size() <= SCAN_BUCKETS) { // few buckets (most keys): a scan beats lookups
      for (int i = buckets.start(), end = buckets.end(); i < end; i++) {
        long bucket = buckets.key(i);
        for (long w : distinctWindows) {
          long b = (bucket + w) * hop;
          if (b > state.finalizedUntil) {
            next = Math.min(next, b);
          }
        }
      }
      return next;
    }
    for (long w : distinctWindows) {
      // the oldest held bucket whose expiry (bucket + w) * hop is after the finalized time
      int i = state.finalizedUntil == Long.MIN_VALUE ? buckets.start()
          : buckets.ceiling(Math.floorDiv(state.finalizedUntil, hop) + 1 - w);
      if (i < buckets.end()) {
        next = Math.min(next, (buckets.key(i) + w) * hop);
      }
    }
    return next;
  }

  /**
   * When the stream's event-time timer for this key is due: its {@link #nextTime} plus the
   * lateness ({@code Long.MAX_VALUE}: none).
   */
  public long nextTimer(KeyState state, long lateness) {
    long next = nextTime(state);
    return next == Long.MAX_VALUE || next > Long.MAX_VALUE - lateness ? Long.MAX_VALUE : next + lateness;
  }

  private void addBoundaries(Times times, long bucket, long after, long until) {
    for (long w : distinctWindows) {
      long b = (bucket + w) * hop;
      if (b > after && b <= until) {
        times.add(b);
      }
    }
  }

  /**
   * The expiry boundaries in {@code (after, until]} of every held bucket: a scan when there are
   * few, else a range per window (a hot key holds up to max(window) / hop buckets).
   */
  private void addBoundaries(Times times, KeyState state, long after, long until) {
    Buckets buckets = state.buckets;
    if (buckets.size() <= SCAN_BUCKETS) {
      for (int i = buckets.start(), end = buckets.end(); i < end; i++) {
        addBoundaries(times, buckets.key(i), after, until);
      }
      return;
    }
    long untilBucket = Math.floorDiv(until, hop);
    for (long w : distinctWindows) {
      // after < (b + w) * hop <= until
      long from = after == Long.MIN_VALUE ? Long.MIN_VALUE : Math.floorDiv(after, hop) + 1 - w;
      long to = untilBucket - w;
      if (from <= to) {
        for (int i = buckets.ceiling(from), end = buckets.end(); i < end && buckets.key(i) <= to; i++) {
          times.add((buckets.key(i) + w) * hop);
        }
      }
    }
  }

  /** Applies a final event; returns whether it created a new bucket. */
  private boolean apply(KeyState state, long bucket, long time, KeyState.Pending e) {
    boolean created = false;
    PartialAggregate[] slots = null;
    for (int f = 0; f < functions.length; f++) {
      PartialAggregate p;
      if (windowBuckets[f] == 0) {
        if (state.history[f] == null) {
          state.history[f] = new PartialAggregate();
        }
        p = state.history[f];
      } else {
        if (slots == null) {
          slots = state.buckets.get(bucket);
          if (slots == null) {
            slots = new PartialAggregate[functions.length];
            state.buckets.put(bucket, slots);
            created = true;
          }
        }
        if (slots[f] == null) {
          slots[f] = new PartialAggregate();
        }
        p = slots[f];
      }
      add(p, f, time, e);
    }
    return created;
  }

  private void add(PartialAggregate p, int f, long time, KeyState.Pending e) {
    Object value = fieldIndex[f] < 0 ? null : e.fields()[fieldIndex[f]];
    boolean counted = fieldIndex[f] < 0 || value != null;
    p.add(functions[f], counted, value, time, e.seq());
  }

  /**
   * The fold at {@code t} from scratch, into {@code into} (cleared first) or, when null, new
   * partials the caller may keep. One pass over the buckets of the widest window and one
   * over the pending events serve every feature; each feature still folds its buckets, then its
   * pending events, in ascending time, so sums come out bit for bit as when each feature was
   * folded alone.
   */
  private PartialAggregate[] fold(KeyState state, long t, boolean withPending, PartialAggregate[] into) {
    long current = Math.floorDiv(t, hop);
    int n = functions.length;
    PartialAggregate[] acc = into != null ? into : new PartialAggregate[n];
    long[] low = new long[n];
    long lowest = Long.MAX_VALUE;
    for (int f = 0; f < n; f++) {
      if (into != null) {
        acc[f].clear();
      } else {
        acc[f] = new PartialAggregate();
      }
      if (windowBuckets[f] == 0) {
        low[f] = Long.MIN_VALUE;
        if (state.history[f] != null) {
          acc[f].merge(functions[f], state.history[f]);
        }
      } else {
        low[f] = current - windowBuckets[f] + 1;
        lowest = Math.min(lowest, low[f]);
      }
    }
    Buckets buckets = state.buckets;
    if (lowest <= current && !buckets.isEmpty()) {
      for (int i = buckets.ceiling(lowest), end = buckets.end(); i < end && buckets.key(i) <= current; i++) {
        long bucket = buckets.key(i);
        PartialAggregate[] slots = buckets.value(i);
        for (int f = 0; f < n; f++) {
          if (windowBuckets[f] != 0 && bucket >= low[f] && slots[f] != null) {
            acc[f].merge(functions[f], slots[f]);
          }
        }
      }
    }
    if (withPending && !state.pending.isEmpty()) {
      for (Map.Entry<Long, List<KeyState.Pending>> entry : state.pending.headMap(t, true).entrySet()) {
        long bucket = Math.floorDiv(entry.getKey(), hop);
        for (KeyState.Pending e : entry.getValue()) {
          for (int f = 0; f < n; f++) {
            if (bucket >= low[f]) {
              add(acc[f], f, entry.getKey(), e);
            }
          }
        }
      }
    }
    return acc;
  }

  /** The feature values of a fold at {@code t} (null for a feature whose window does not reach back far enough yet). */
  private Object[] values(KeyState state, long t, PartialAggregate[] acc) {
    int n = functions.length;
    Object[] values = new Object[n];
    for (int f = 0; f < n; f++) {
      values[f] = state.coveredFrom != null && state.coveredFrom[f] != Long.MIN_VALUE && windowStart(f, t) < state.coveredFrom[f]
          ? null : result(f, acc[f]);
    }
    return values;
  }

  private Object result(int f, PartialAggregate p) {
    return switch (functions[f]) {
      case COUNT -> p.count;
      case SUM -> integralInput[f] ? (Object) p.longSum : (Object) p.sum;
      case AVG -> p.count == 0 ? null : p.sum / p.count;
      case MIN -> types[f].coerce(p.min);
      case MAX -> types[f].coerce(p.max);
      case FIRST -> p.anyEvent ? types[f].coerce(p.first) : null;
      case LAST -> p.anyEvent ? types[f].coerce(p.last) : null;
    };
  }

  /** Drops buckets that have left every window: no future value can read them. */
  private void evict(KeyState state) {
    if (maxWindowBuckets == 0) {
      return;
    }
    while (!state.buckets.isEmpty()) {
      long oldest = state.buckets.firstKey();
      if ((oldest + maxWindowBuckets) * hop <= state.finalizedUntil) {
        state.buckets.removeFirst();
      } else {
        break;
      }
    }
  }

  /**
   * The times one finalization visits, smallest first: a min-heap of primitive longs (the same
   * order a {@code PriorityQueue<Long>} gives, without a box per time). Duplicates are allowed;
   * the caller skips a time equal to the previous one.
   */
  static final class Times {
    private long[] heap = new long[16];
    private int size;

    void clear() {
      size = 0;
    }

    boolean isEmpty() {
      return size == 0;
    }

    void add(long t) {
      if (size == heap.length) {
        heap = Arrays.copyOf(heap, size * 2);
      }
      int i = size++;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (heap[parent] <= t) {
          break;
        }
        heap[i] = heap[parent];
        i = parent;
      }
      heap[i] = t;
    }

    long poll() {
      long top = heap[0];
      long last = heap[--size];
      int i = 0;
      int half = size >>> 1;
      while (i < half) {
        int child = 2 * i + 1;
        if (child + 1 < size && heap[child + 1] < heap[child]) {
          child++;
        }
        if (last <= heap[child]) {
          break;
        }
        heap[i] = heap[child];
        i = child;
      }
      if (size > 0) {
        heap[i] = last;
      }
      return top;
    }
  }
}
