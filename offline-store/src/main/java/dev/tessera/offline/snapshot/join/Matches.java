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
 * order; the output wants them in spine order. While they fit the budget they are written
 * compactly ({@link FeatureValueCodec}) into one byte array with an offset per spine row, and read
 * back in row order without sorting. Past the budget (long spines, wide rows) those kept so far
 * move to the external sorter, by row, and the rest follow them there.
 */
final class Matches implements AutoCloseable {
  static final Comparator<Match> BY_ROW = (a, b) -> Long.compare(a.idx(), b.idx());

  private final List<FeatureType> types;
  private final long budget;
  private final Path spillDir;
  private long[] offsets; // per spine row, -1 for none; null once in the sorter
  private Bytes bytes;
  private DataOutputStream out;
  private ExternalSorter<Match> sorter;

  /** @param rows the spine's row count; matches have row indexes {@code 0..rows-1} */
  Matches(List<FeatureType> types, long rows, long budget, Path spillDir) {
    this.types = types;
    this.budget = budget;
    this.spillDir = spillDir;
    if (rows < Integer.MAX_VALUE && rows * Long.BYTES <= budget / 2) {
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

  /** The match of spine row {@code idx}. */
  void add(long idx, PointInTimeJoin.TableRow row) {
    if (sorter != null) {
      sorter.add(new Match(idx, row.values()));
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
    offsets = null;
    bytes = null;
    out = null;
  }

  /** The matches by spine row, ascending. */
  Iterator<Match> inRowOrder() {
    if (sorter != null) {
      return sorter.sorted();
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
    offsets = null;
    bytes = null;
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
