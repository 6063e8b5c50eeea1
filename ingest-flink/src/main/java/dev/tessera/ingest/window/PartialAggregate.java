package dev.tessera.ingest.window;

import dev.tessera.contracts.model.AggregateFunction;

/**
 * The partial aggregate of one feature over some events (one hop bucket, or all history). Mutable
 * and small: count, sum, min, max, and the first and last event by (event time, sequence).
 */
final class PartialAggregate {
  long count;
  double sum;
  long longSum;
  Object min;
  Object max;
  /*
   * min and max as primitives when they are doubles (the common case), so merging partials
   * compares without loading the boxed values (pointer chasing was 8% of ingest's CPU samples).
   * Kept by setMin/setMax and merge; valid when minIsDouble / maxIsDouble.
   */
  double minD;
  double maxD;
  boolean minIsDouble;
  boolean maxIsDouble;
  long firstTime = Long.MAX_VALUE;
  long firstSeq = Long.MAX_VALUE;
  Object first;
  long lastTime = Long.MIN_VALUE;
  long lastSeq = Long.MIN_VALUE;
  Object last;
  boolean anyEvent;

  /** Adds one event's value of the feature's field (null for count of events, or a null value). */
  void add(AggregateFunction fn, boolean counted, Object value, long time, long seq) {
    anyEvent = true;
    switch (fn) {
      case COUNT -> {
        if (counted) {
          count++;
        }
      }
      case SUM, AVG -> {
        if (value != null) {
          count++;
          if (value instanceof Double || value instanceof Float) {
            sum += ((Number) value).doubleValue();
          } else {
            longSum += ((Number) value).longValue();
            sum += ((Number) value).doubleValue();
          }
        }
      }
      case MIN -> {
        if (value != null && (min == null || compare(value, min) < 0)) {
          setMin(value);
        }
      }
      case MAX -> {
        if (value != null && (max == null || compare(value, max) > 0)) {
          setMax(value);
        }
      }
      case FIRST -> {
        if (time < firstTime || (time == firstTime && seq < firstSeq)) {
          firstTime = time;
          firstSeq = seq;
          first = value;
        }
      }
      case LAST -> {
        if (time > lastTime || (time == lastTime && seq > lastSeq)) {
          lastTime = time;
          lastSeq = seq;
          last = value;
        }
      }
    }
  }

  /** A copy (the values it holds are immutable: numbers, strings, booleans). */
  PartialAggregate copy() {
    PartialAggregate p = new PartialAggregate();
    p.set(this);
    return p;
  }

  private static final PartialAggregate EMPTY = new PartialAggregate();

  /** Makes this partial a copy of {@code p} (every field), without allocating. */
  void set(PartialAggregate p) {
    count = p.count;
    sum = p.sum;
    longSum = p.longSum;
    min = p.min;
    max = p.max;
    minD = p.minD;
    maxD = p.maxD;
    minIsDouble = p.minIsDouble;
    maxIsDouble = p.maxIsDouble;
    firstTime = p.firstTime;
    firstSeq = p.firstSeq;
    first = p.first;
    lastTime = p.lastTime;
    lastSeq = p.lastSeq;
    last = p.last;
    anyEvent = p.anyEvent;
  }

  /** Makes this partial empty again, as a new one (the fold of no events). */
  void clear() {
    set(EMPTY);
  }

  /** Folds {@code other} into this partial. */
  void merge(AggregateFunction fn, PartialAggregate other) {
    anyEvent |= other.anyEvent;
    switch (fn) {
      case COUNT -> count += other.count;
      case SUM, AVG -> {
        count += other.count;
        sum += other.sum;
        longSum += other.longSum;
      }
      case MIN -> {
        if (other.min != null && (min == null
            || (other.minIsDouble && minIsDouble ? Double.compare(other.minD, minD) : compare(other.min, min)) < 0)) {
          min = other.min;
          minD = other.minD;
          minIsDouble = other.minIsDouble;
        }
      }
      case MAX -> {
        if (other.max != null && (max == null
            || (other.maxIsDouble && maxIsDouble ? Double.compare(other.maxD, maxD) : compare(other.max, max)) > 0)) {
          max = other.max;
          maxD = other.maxD;
          maxIsDouble = other.maxIsDouble;
        }
      }
      case FIRST -> {
        if (other.anyEvent && (other.firstTime < firstTime || (other.firstTime == firstTime && other.firstSeq < firstSeq))) {
          firstTime = other.firstTime;
          firstSeq = other.firstSeq;
          first = other.first;
        }
      }
      case LAST -> {
        if (other.anyEvent && (other.lastTime > lastTime || (other.lastTime == lastTime && other.lastSeq > lastSeq))) {
          lastTime = other.lastTime;
          lastSeq = other.lastSeq;
          last = other.last;
        }
      }
    }
  }

  void setMin(Object value) {
    min = value;
    minIsDouble = value instanceof Double;
    minD = minIsDouble ? (Double) value : 0;
  }

  void setMax(Object value) {
    max = value;
    maxIsDouble = value instanceof Double;
    maxD = maxIsDouble ? (Double) value : 0;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static int compare(Object a, Object b) {
    // the common cases without the interface call (same results: Double.compareTo is Double.compare)
    if (a instanceof Double x && b instanceof Double y) {
      return Double.compare(x, y);
    }
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    if (a instanceof Number x && b instanceof Number y && a.getClass() != b.getClass()) {
      return Double.compare(x.doubleValue(), y.doubleValue());
    }
    return ((Comparable) a).compareTo(b);
  }
}
