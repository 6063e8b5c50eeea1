package dev.tessera.offline.snapshot.join;

import dev.tessera.contracts.model.FeatureType;
import dev.tessera.offline.snapshot.join.PointInTimeJoin.Match;
import dev.tessera.offline.sort.ExternalSorter;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * One feature set's matches, to be read back by spine row. The merge finds them in (key, time)
 * order; the output wants them in spine order. Held by row index, read back in row order without
 * sorting: in slots ({@link Slots}: a primitive slot per spine row and feature, strings by
 * reference) when those fit three quarters of the budget, else written compactly
 * ({@link FeatureValueCodec}) into one byte array with an offset per spine row. Past the budget
 * (long spines, wide rows, long strings) those kept so far move to the external sorter, by row,
 * and the rest follow them there.
 */
final class Matches implements AutoCloseable {
  static final Comparator<Match> BY_ROW = (a, b) -> Long.compare(a.idx(), b.idx());

  private final List<FeatureType> types;
  private final long budget;
  private final Path spillDir;
  private Slots slots; // null unless held in slots
  private long[] offsets; // per spine row, -1 for none; null once in the sorter
  private Bytes bytes;
  private DataOutputStream out;
  private ExternalSorter<Match> sorter;

  /** @param rows the spine's row count; matches have row indexes {@code 0..rows-1} */
  Matches(List<FeatureType> types, long rows, long budget, Path spillDir) {
    this.types = types;
    this.budget = budget;
    this.spillDir = spillDir;
    if (rows * Math.max(1, types.size()) < Integer.MAX_VALUE && rows * Slots.bytesPerRow(types) <= budget / 4 * 3) {
      slots = new Slots(types, (int) rows);
    } else if (rows < Integer.MAX_VALUE && rows * Long.BYTES <= budget / 2) {
      offsets = new long[(int) rows];
      Arrays.fill(offsets, -1);
      bytes = new Bytes();
      out = new DataOutputStream(bytes);
    } else {
      sorter = newSorter();
    }
  }

  /** Whether the matches are still held in memory, indexed by row. */
  boolean inMemory() {
    return sorter == null;
  }

  /** How they are held now: "slots", "bytes" or "sorter". */
  String state() {
    return slots != null ? "slots" : sorter != null ? "sorter" : "bytes";
  }

  /** The match of spine row {@code idx}. */
  void add(long idx, PointInTimeJoin.TableRow row) {
    if (sorter != null) {
      sorter.add(new Match(idx, row.values()));
      return;
    }
    if (slots != null) {
      row.copyTo(slots, (int) idx);
      if (slots.bytes() > budget) {
        toSorter();
      }
      return;
    }
    offsets[(int) idx] = bytes.size();
    try {
      row.writeValues(out, types);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: does not happen
    }
    if ((long) offsets.length * Long.BYTES + bytes.capacity() > budget || bytes.size() > Integer.MAX_VALUE / 2) {
      toSorter();
    }
  }

  private ExternalSorter<Match> newSorter() {
    return new ExternalSorter<>(PointInTimeJoin.matchCodec(types), BY_ROW, budget, spillDir);
  }

  private void toSorter() {
    ExternalSorter<Match> s = newSorter();
    inRowOrder().forEachRemaining(s::add);
    sorter = s;
    slots = null;
    offsets = null;
    bytes = null;
    out = null;
  }

  /** The matches by spine row, ascending. */
  Iterator<Match> inRowOrder() {
    if (sorter != null) {
      return sorter.sorted();
    }
    if (slots != null) {
      return slots.inRowOrder();
    }
    long[] at = offsets;
    java.nio.ByteBuffer in = bytes.buffer();
    return new Iterator<>() {
      int row = next(0);

      private int next(int from) {
        int r = from;
        while (r < at.length && at[r] < 0) {
          r++;
        }
        return r;
      }

      @Override
      public boolean hasNext() {
        return row < at.length;
      }

      @Override
      public Match next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        in.position((int) at[row]);
        Match m = new Match(row, FeatureValueCodec.read(in, types));
        row = next(row + 1);
        return m;
      }
    };
  }

  @Override
  public void close() {
    if (sorter != null) {
      sorter.close();
    }
    slots = null;
    offsets = null;
    bytes = null;
  }

  /**
   * The matches held by spine row, a row's slots side by side (one or two cache lines per match,
   * however many features): per row a slot per non-string feature (a long: integers, booleans as
   * 0/1, floating point as its raw bits), a reference per string feature, and a bit per feature
   * for its presence and one for the match. Strings are counted against the budget once per
   * object (a dictionary's string is shared by many rows), as far as a small identity table per
   * column can tell.
   */
  static final class Slots {
    private static final int SEEN = 1024;
    private static final long MATCHED = 1L << 63;
    private final List<FeatureType> types;
    private final int[] slot; // per feature: its slot among the row's longs, or among its strings
    private final int longsPerRow;
    private final int stringsPerRow;
    private final long[] longs;
    private final String[] strings;
    private final long[] present; // per row: bit f, feature f is present; MATCHED, the row has a match
    private final String[][] seen; // per string feature: recently counted strings, by identity hash
    private final long fixedBytes;
    private long stringBytes;

    /** Bytes per spine row held so; {@code Long.MAX_VALUE} when not held so (more than 63 features). */
    static long bytesPerRow(List<FeatureType> types) {
      return types.size() > 63 ? Long.MAX_VALUE / 4 : 8L * types.size() + 8;
    }

    Slots(List<FeatureType> types, int rows) {
      this.types = types;
      int n = types.size();
      slot = new int[n];
      seen = new String[n][];
      int l = 0;
      int st = 0;
      for (int f = 0; f < n; f++) {
        if (types.get(f) == FeatureType.STRING) {
          slot[f] = st++;
          seen[f] = new String[SEEN];
        } else {
          slot[f] = l++;
        }
      }
      longsPerRow = l;
      stringsPerRow = st;
      longs = new long[Math.multiplyExact(rows, l)];
      strings = st == 0 ? null : new String[Math.multiplyExact(rows, st)];
      present = new long[rows];
      fixedBytes = rows * bytesPerRow(types);
    }

    long bytes() {
      return fixedBytes + stringBytes;
    }

    void match(int row) {
      present[row] |= MATCHED;
    }

    void setLong(int f, int row, long v) {
      longs[row * longsPerRow + slot[f]] = v;
      present[row] |= 1L << f;
    }

    void setString(int f, int row, String v) {
      strings[row * stringsPerRow + slot[f]] = v;
      present[row] |= 1L << f;
      int h = System.identityHashCode(v) & (SEEN - 1);
      if (seen[f][h] != v) {
        seen[f][h] = v;
        stringBytes += 48 + v.length();
      }
    }

    /** Sets a feature from its value as the row reader gives it (of its type's class); null: absent. */
    void set(int f, int row, Object v) {
      if (v == null) {
        return;
      }
      switch (types.get(f)) {
        case INT -> setLong(f, row, (Integer) v);
        case LONG, TIMESTAMP -> setLong(f, row, (Long) v);
        case FLOAT -> setLong(f, row, Float.floatToRawIntBits((Float) v));
        case DOUBLE -> setLong(f, row, Double.doubleToRawLongBits((Double) v));
        case BOOLEAN -> setLong(f, row, (Boolean) v ? 1 : 0);
        case STRING -> setString(f, row, (String) v);
      }
    }

    Object value(int f, int row) {
      if ((present[row] & (1L << f)) == 0) {
        return null;
      }
      if (types.get(f) == FeatureType.STRING) {
        return strings[row * stringsPerRow + slot[f]];
      }
      long v = longs[row * longsPerRow + slot[f]];
      return switch (types.get(f)) {
        case INT -> (int) v;
        case LONG, TIMESTAMP -> v;
        case FLOAT -> Float.intBitsToFloat((int) v);
        case DOUBLE -> Double.longBitsToDouble(v);
        case BOOLEAN -> v != 0;
        case STRING -> throw new IllegalStateException("strings are read above");
      };
    }

    Iterator<Match> inRowOrder() {
      return new Iterator<>() {
        int row = next(0);

        private int next(int from) {
          int r = from;
          while (r < present.length && (present[r] & MATCHED) == 0) {
            r++;
          }
          return r;
        }

        @Override
        public boolean hasNext() {
          return row < present.length;
        }

        @Override
        public Match next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          Object[] values = new Object[types.size()];
          for (int f = 0; f < values.length; f++) {
            values[f] = value(f, row);
          }
          Match m = new Match(row, values);
          row = next(row + 1);
          return m;
        }
      };
    }
  }

  /** A growing byte array that can be read back from any offset (unlike java.io's, not synchronized per call). */
  private static final class Bytes extends OutputStream {
    private byte[] buf = new byte[1 << 16];
    private int count;

    int size() {
      return count;
    }

    int capacity() {
      return buf.length;
    }

    private void ensure(int more) {
      if (count + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(count + more, buf.length * 2));
      }
    }

    @Override
    public void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    /** The bytes written, to read back from any offset. */
    java.nio.ByteBuffer buffer() {
      return java.nio.ByteBuffer.wrap(buf, 0, count);
    }
  }
}
