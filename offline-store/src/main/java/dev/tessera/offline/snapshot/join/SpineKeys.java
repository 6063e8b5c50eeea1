package dev.tessera.offline.snapshot.join;

import dev.tessera.offline.snapshot.join.PointInTimeJoin.SpineKey;
import dev.tessera.offline.sort.ExternalSorter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * One feature set's spine entries (key, time, row), read back in (key, time, row) order: the
 * spine side of the merge. While they fit the budget they are held as arrays (each distinct key
 * once, times and rows unboxed) and sorted by bucketing on the key's rank, then by time within a
 * key (stable: rows were added in order, so equal times keep it); that is the order of
 * {@link PointInTimeJoin#SPINE_ORDER} without an object or a string comparison per entry. Past the
 * budget (long spines) those kept so far move to the external sorter and the rest follow.
 */
final class SpineKeys implements AutoCloseable {
  private static final int ENTRY_BYTES = Integer.BYTES + 2 * Long.BYTES + 2 * Integer.BYTES + Long.BYTES; // key id, ts, row; order, scratch; ts by rank

  private final long budget;
  private final Path spillDir;
  private KeyIds ids = new KeyIds();
  private List<String> keys = new ArrayList<>();
  private long keyBytes;
  private int[] keyIds = new int[1024];
  private long[] times = new long[1024];
  private long[] rows = new long[1024];
  private int size;
  private ExternalSorter<SpineKey> sorter;
  private KeyRanks ranks;
  private int[] order; // entries in (rank, time, row) order, once ranked

  SpineKeys(long budget, Path spillDir) {
    this.budget = budget;
    this.spillDir = spillDir;
  }

  /** Whether the entries are still held as arrays. */
  boolean inMemory() {
    return sorter == null;
  }

  /** Adds an entry; rows come in increasing order. */
  void add(String key, long ts, long row) {
    if (sorter != null) {
      sorter.add(new SpineKey(key, ts, row, -1));
      return;
    }
    int id = ids.get(key);
    if (id < 0) {
      id = keys.size();
      ids.put(key, id);
      keys.add(key);
      keyBytes += 100 + 2L * key.length(); // the string, its two map slots (at half load), the list slot
    }
    if (size == keyIds.length) {
      int n = size * 2;
      keyIds = Arrays.copyOf(keyIds, n);
      times = Arrays.copyOf(times, n);
      rows = Arrays.copyOf(rows, n);
    }
    keyIds[size] = id;
    times[size] = ts;
    rows[size] = row;
    size++;
    if ((long) keyIds.length * ENTRY_BYTES + keyBytes > budget || size == Integer.MAX_VALUE - 8) {
      toSorter();
    }
  }

  private void toSorter() {
    ExternalSorter<SpineKey> s = new ExternalSorter<>(PointInTimeJoin.SPINE_CODEC, PointInTimeJoin.SPINE_ORDER, budget, spillDir);
    for (int i = 0; i < size; i++) {
      s.add(new SpineKey(keys.get(keyIds[i]), times[i], rows[i], -1));
    }
    sorter = s;
    ids = null;
    keys = null;
    keyIds = null;
    times = null;
    rows = null;
  }

  /**
   * Each distinct key's rank in String order (the order of the table's files) and the spine's
   * times of each, sorted: for the table side to compare keys as ints, to drop rows of keys no
   * spine row has, and rows no spine row can see. Null once the entries moved to the sorter (no
   * key set in memory). Sorts the entries: call after the last {@link #add}.
   */
  KeyRanks ranks() {
    if (sorter != null) {
      return null;
    }
    if (ranks == null) {
      String[] byRank = keys.toArray(String[]::new);
      Arrays.sort(byRank); // String order, as the table's files are sorted and merged
      int[] rank = new int[byRank.length];
      for (int r = 0; r < byRank.length; r++) {
        rank[ids.get(byRank[r])] = r;
        byRank[r] = new String(byRank[r]); // copies allocated in rank order lie in memory in that order: a walk reads them in sequence
      }
      int distinct = rank.length;
      // bucket by key rank (a counting sort keeps the rows' order within a key), then by time within each key
      int[] start = new int[distinct + 1];
      for (int i = 0; i < size; i++) {
        start[rank[keyIds[i]] + 1]++;
      }
      for (int r = 0; r < distinct; r++) {
        start[r + 1] += start[r];
      }
      order = new int[size];
      int[] fill = Arrays.copyOf(start, distinct);
      for (int i = 0; i < size; i++) {
        order[fill[rank[keyIds[i]]]++] = i;
      }
      int[] scratch = new int[size];
      for (int r = 0; r < distinct; r++) {
        sortByTime(order, scratch, start[r], start[r + 1], times);
      }
      long[] timesByRank = new long[size];
      for (int p = 0; p < size; p++) {
        timesByRank[p] = times[order[p]];
      }
      ranks = new KeyRanks(ids, rank, byRank, start, timesByRank);
    }
    return ranks;
  }

  /** The entries in (key, time, row) order; in memory, each with its key's {@link #ranks rank} (else -1). */
  Iterator<SpineKey> sorted() {
    if (sorter != null) {
      return sorter.sorted();
    }
    KeyRanks ranked = ranks();
    int[] rank = ranked.rankOfId;
    int[] order = this.order;
    int n = size;
    int[] ids = keyIds;
    long[] ts = times;
    long[] rs = rows;
    return new Iterator<>() {
      int p;

      @Override
      public boolean hasNext() {
        return p < n;
      }

      @Override
      public SpineKey next() {
        if (p >= n) {
          throw new NoSuchElementException();
        }
        int i = order[p++];
        int r = rank[ids[i]];
        return new SpineKey(ranked.key(r), ts[i], rs[i], r);
      }
    };
  }

  /** Sorts {@code order[from..to)} by {@code times[order[i]]}, stably (merge sort; insertion sort for short ranges). */
  static void sortByTime(int[] order, int[] scratch, int from, int to, long[] times) {
    if (to - from <= 16) {
      for (int i = from + 1; i < to; i++) {
        int v = order[i];
        long t = times[v];
        int j = i - 1;
        while (j >= from && times[order[j]] > t) {
          order[j + 1] = order[j];
          j--;
        }
        order[j + 1] = v;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    sortByTime(order, scratch, from, mid, times);
    sortByTime(order, scratch, mid, to, times);
    if (times[order[mid - 1]] <= times[order[mid]]) {
      return; // already in order (a spine sorted by time per key)
    }
    System.arraycopy(order, from, scratch, from, to - from);
    int a = from;
    int b = mid;
    for (int k = from; k < to; k++) {
      if (b >= to || (a < mid && times[scratch[a]] <= times[scratch[b]])) {
        order[k] = scratch[a++];
      } else {
        order[k] = scratch[b++];
      }
    }
  }

  @Override
  public void close() {
    if (sorter != null) {
      sorter.close();
    }
  }

  /** The spine's distinct keys by rank in String order; read-only, so any thread may ask. */
  static final class KeyRanks {
    private final KeyIds ids;
    private final int[] rankOfId;
    private final String[] byRank;
    private final int[] start; // the times of rank r: timesByRank[start[r] .. start[r + 1])
    private final long[] timesByRank;

    private final org.apache.parquet.io.api.Binary[] asciiBytes; // null unless every key is ASCII

    KeyRanks(KeyIds ids, int[] rankOfId, String[] byRank, int[] start, long[] timesByRank) {
      this.ids = ids;
      this.rankOfId = rankOfId;
      this.byRank = byRank;
      this.start = start;
      this.timesByRank = timesByRank;
      this.asciiBytes = asciiBytes(byRank);
    }

    /**
     * A cursor over the spine's times of one key at a time: for rows of a key in time order, the
     * first spine time at or after each ({@link SpineTimes#seek}).
     */
    SpineTimes times() {
      return new SpineTimes(start, timesByRank);
    }

    /** The key's rank, or -1 when no spine row has it. */
    int rank(String key) {
      int id = ids.get(key);
      return id < 0 ? -1 : rankOfId[id];
    }

    /** A cursor for keys asked in ascending order (a sorted file's): see {@link Walk#rank}. */
    Walk walk() {
      return new Walk(byRank, asciiBytes);
    }

    /**
     * The keys' UTF-8 bytes by rank when every key is ASCII, else null. Then an ASCII key compares
     * with any string's UTF-8 bytes (unsigned) as with the string (UTF-16): up to the first
     * difference both are ASCII, and there a non-ASCII byte and char both exceed any ASCII one.
     */
    private static org.apache.parquet.io.api.Binary[] asciiBytes(String[] byRank) {
      org.apache.parquet.io.api.Binary[] out = new org.apache.parquet.io.api.Binary[byRank.length];
      for (int r = 0; r < byRank.length; r++) {
        String k = byRank[r];
        for (int i = 0; i < k.length(); i++) {
          if (k.charAt(i) >= 0x80) {
            return null;
          }
        }
        out[r] = org.apache.parquet.io.api.Binary.fromConstantByteArray(k.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      }
      return out;
    }

    /** The key of a rank, as the spine has it. */
    String key(int rank) {
      return byRank[rank];
    }
  }

  /** The spine's times of one key after another (see {@link KeyRanks#times}). */
  static final class SpineTimes {
    private final int[] start;
    private final long[] times;
    private int rank = -1;
    private int at;

    SpineTimes(int[] start, long[] times) {
      this.start = start;
      this.times = times;
    }

    /**
     * The position of the first spine time of key {@code rank} at or after {@code time}, read with
     * {@link #has} and {@link #time}; times of one key must be asked in ascending order.
     */
    void seek(int rank, long time) {
      int end = start[rank + 1];
      if (rank != this.rank) {
        this.rank = rank;
        at = start[rank];
      }
      for (int step = 0; at < end && times[at] < time; step++, at++) {
        if (step == 8) { // far ahead (a hot key): by binary search; any of equal times, back to the first below
          int i = Arrays.binarySearch(times, at, end, time);
          at = i >= 0 ? i : -i - 1;
          while (at > start[rank] && times[at - 1] >= time) {
            at--;
          }
          return;
        }
      }
    }

    /** Whether the key has a spine time at or after the one sought. */
    boolean has() {
      return at < start[rank + 1];
    }

    /** That spine time. */
    long time() {
      return times[at];
    }
  }

  /**
   * Ranks keys asked in ascending String order by walking the spine's keys in rank order, a few
   * steps at a time and by binary search beyond: for a sorted file, mostly one comparison with the
   * next key in memory instead of a hash lookup whose probes miss the cache.
   */
  static final class Walk {
    private static final int STEPS = 8;
    private static final java.util.Comparator<org.apache.parquet.io.api.Binary> BYTES =
        org.apache.parquet.schema.PrimitiveComparator.UNSIGNED_LEXICOGRAPHICAL_BINARY_COMPARATOR;
    private final String[] byRank;
    private final org.apache.parquet.io.api.Binary[] bytes; // null unless every key is ASCII
    private int next; // ranks below it are before the last key asked

    Walk(String[] byRank, org.apache.parquet.io.api.Binary[] bytes) {
      this.byRank = byRank;
      this.bytes = bytes;
    }

    /** Whether keys can be ranked from their UTF-8 bytes ({@link #rank(org.apache.parquet.io.api.Binary)}): every spine key is ASCII. */
    boolean ranksBytes() {
      return bytes != null;
    }

    /** As {@link #rank(String)}, for a key's UTF-8 bytes; only when {@link #ranksBytes}. */
    int rank(org.apache.parquet.io.api.Binary key) {
      int n = bytes.length;
      for (int step = 0; next < n && step < STEPS; step++) {
        int c = BYTES.compare(bytes[next], key);
        if (c >= 0) {
          return c == 0 ? next : -1;
        }
        next++;
      }
      if (next >= n) {
        return -1;
      }
      int i = Arrays.binarySearch(bytes, next, n, key, BYTES);
      next = i >= 0 ? i : -i - 1;
      return i >= 0 ? i : -1;
    }

    /** The key's rank, or -1 when no spine row has it; keys must come in ascending order (equal ones may repeat). */
    int rank(String key) {
      int n = byRank.length;
      for (int step = 0; next < n && step < STEPS; step++) {
        int c = byRank[next].compareTo(key);
        if (c >= 0) {
          return c == 0 ? next : -1;
        }
        next++;
      }
      if (next >= n) {
        return -1;
      }
      int i = Arrays.binarySearch(byRank, next, n, key);
      next = i >= 0 ? i : -i - 1;
      return i >= 0 ? i : -1;
    }
  }

  /** Distinct keys to dense ids: open addressing, no entry objects or boxed ids (a HashMap's were a tenth of the spine's read). */
  static final class KeyIds {
    private String[] keys = new String[1024];
    private int[] ids = new int[1024];
    private int size;

    /** The key's id, or -1. */
    int get(String key) {
      int mask = keys.length - 1;
      for (int i = slot(key, mask); ; i = (i + 1) & mask) {
        String k = keys[i];
        if (k == null) {
          return -1;
        }
        if (k.equals(key)) {
          return ids[i];
        }
      }
    }

    /** Adds a key that is not there yet. */
    void put(String key, int id) {
      if (2 * (size + 1) > keys.length) {
        String[] oldKeys = keys;
        int[] oldIds = ids;
        keys = new String[oldKeys.length * 2];
        ids = new int[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
          if (oldKeys[i] != null) {
            insert(oldKeys[i], oldIds[i]);
          }
        }
      }
      insert(key, id);
      size++;
    }

    private void insert(String key, int id) {
      int mask = keys.length - 1;
      int i = slot(key, mask);
      while (keys[i] != null) {
        i = (i + 1) & mask;
      }
      keys[i] = key;
      ids[i] = id;
    }

    private static int slot(String key, int mask) {
      int h = key.hashCode() * 0x9E3779B9; // spread: string hashes of similar keys differ in the low bits only
      return (h ^ (h >>> 16)) & mask;
    }
  }
}
