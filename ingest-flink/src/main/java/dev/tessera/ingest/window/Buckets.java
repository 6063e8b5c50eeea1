package dev.tessera.ingest.window;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A key's hop buckets: bucket index to one partial per feature, ascending by index. It does the
 * job of a {@code TreeMap<Long, PartialAggregate[]>} with the indexes side by side in one
 * {@code long[]}, so walking a key's buckets reads one array instead of a tree node and a boxed
 * {@code Long} per bucket. Those reads were cache misses: a timer fires for one key of many, and
 * its state is cold.
 *
 * <p>Buckets come mostly in ascending order (new ones at the end) and leave from the front
 * (eviction), so the live range {@code [start, end)} moves right through the arrays. Positions are
 * absolute array indexes, valid until the next {@link #put} of a new bucket.
 */
final class Buckets {
  private long[] keys = new long[4];
  private PartialAggregate[][] values = new PartialAggregate[4][];
  private int start;
  private int end;

  int size() {
    return end - start;
  }

  boolean isEmpty() {
    return end == start;
  }

  /** The position of the first bucket. */
  int start() {
    return start;
  }

  /** The position after the last bucket. */
  int end() {
    return end;
  }

  long key(int position) {
    return keys[position];
  }

  PartialAggregate[] value(int position) {
    return values[position];
  }

  /** The position of the first bucket with an index at or after {@code bucket}; {@link #end()} when none. */
  int ceiling(long bucket) {
    int lo = start;
    int hi = end;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (keys[mid] < bucket) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The partials of {@code bucket}, or null when it is not held. */
  PartialAggregate[] get(long bucket) {
    int i = ceiling(bucket);
    return i < end && keys[i] == bucket ? values[i] : null;
  }

  /** Holds {@code slots} for {@code bucket}, replacing what it held. */
  void put(long bucket, PartialAggregate[] slots) {
    int i = ceiling(bucket);
    if (i < end && keys[i] == bucket) {
      values[i] = slots;
      return;
    }
    if (end == keys.length) {
      int size = size();
      if (start > size) { // at least half the array free before the live range: move it to the front
        System.arraycopy(keys, start, keys, 0, size);
        System.arraycopy(values, start, values, 0, size);
        Arrays.fill(values, size, end, null);
      } else {
        long[] k = new long[Math.max(4, size * 2)];
        PartialAggregate[][] v = new PartialAggregate[k.length][];
        System.arraycopy(keys, start, k, 0, size);
        System.arraycopy(values, start, v, 0, size);
        keys = k;
        values = v;
      }
      i -= start;
      start = 0;
      end = size;
    }
    System.arraycopy(keys, i, keys, i + 1, end - i);
    System.arraycopy(values, i, values, i + 1, end - i);
    keys[i] = bucket;
    values[i] = slots;
    end++;
  }

  /** The smallest bucket index held. */
  long firstKey() {
    if (isEmpty()) {
      throw new NoSuchElementException();
    }
    return keys[start];
  }

  /** Drops the first bucket. */
  void removeFirst() {
    if (isEmpty()) {
      throw new NoSuchElementException();
    }
    values[start] = null;
    start++;
    if (start == end) {
      start = 0;
      end = 0;
    }
  }

  /** The bucket indexes, ascending (a view: for tests and checks, not for the hot paths). */
  List<Long> keySet() {
    return new AbstractList<>() {
      @Override
      public Long get(int index) {
        return keys[start + index];
      }

      @Override
      public int size() {
        return Buckets.this.size();
      }
    };
  }
}
