package dev.tessera.offline.sort;

import dev.tessera.errors.TesseraException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Sorts any number of records within a memory budget: records are buffered until the budget is
 * used, then sorted and spilled as a run; reading merges the runs. Equal records keep insertion
 * order (stable), so results are deterministic.
 */
public final class ExternalSorter<T> implements AutoCloseable {
  /** Writes and reads one record, and estimates its heap size. */
  public interface Codec<T> {
    void write(DataOutputStream out, T value) throws IOException;

    T read(DataInputStream in) throws IOException;

    long estimatedBytes(T value);
  }

  private final Codec<T> codec;
  private final Comparator<T> order;
  private final long budgetBytes;
  private final Path spillDir;
  private final List<Path> runs = new ArrayList<>();
  private List<T> buffer = new ArrayList<>();
  private long bufferedBytes;

  public ExternalSorter(Codec<T> codec, Comparator<T> order, long budgetBytes, Path spillDir) {
    this.codec = codec;
    this.order = order;
    this.budgetBytes = Math.max(budgetBytes, 64 << 10);
    this.spillDir = spillDir;
  }

  public void add(T value) {
    buffer.add(value);
    bufferedBytes += codec.estimatedBytes(value) + 16;
    if (bufferedBytes >= budgetBytes) {
      spill();
    }
  }

  public int spilledRuns() {
    return runs.size();
  }

  private void spill() {
    buffer.sort(order);
    try {
      Files.createDirectories(spillDir);
      Path run = Files.createTempFile(spillDir, "tessera-sort-", ".run");
      try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run), 1 << 16))) {
        for (T v : buffer) {
          codec.write(out, v);
        }
      }
      runs.add(run);
    } catch (IOException e) {
      throw TesseraException.io("Cannot spill a sort run to " + spillDir, e);
    }
    buffer = new ArrayList<>();
    bufferedBytes = 0;
  }

  /**
   * Merges sorted iterators into one sorted iterator; equal elements come from the earlier
   * iterator first, so a merge of stable sorts is stable.
   */
  public static <T> Iterator<T> merge(List<Iterator<T>> inputs, Comparator<T> order) {
    if (inputs.size() == 1) {
      return inputs.get(0);
    }
    return new LoserTree<>(inputs, order);
  }

  /**
   * A k-way merge as a tournament tree of losers: each step replays one leaf's path to the root,
   * one comparison per level (a binary heap's poll and add take about two per level). Node i has
   * children 2i and 2i+1; nodes k..2k-1 are the inputs' heads; node 0 holds the winner. Ties go
   * to the lower input index.
   */
  private static final class LoserTree<T> implements Iterator<T> {
    private final List<Iterator<T>> inputs;
    private final Comparator<T> order;
    private final int k;
    private final Object[] heads;
    private final boolean[] done;
    private final int[] tree;

    LoserTree(List<Iterator<T>> inputs, Comparator<T> order) {
      this.inputs = inputs;
      this.order = order;
      this.k = inputs.size();
      this.heads = new Object[k];
      this.done = new boolean[k];
      this.tree = new int[Math.max(1, k)];
      for (int i = 0; i < k; i++) {
        advance(i);
      }
      if (k > 0) {
        tree[0] = play(1);
      }
    }

    private void advance(int i) {
      Iterator<T> in = inputs.get(i);
      if (in.hasNext()) {
        heads[i] = in.next();
      } else {
        heads[i] = null;
        done[i] = true;
      }
    }

    /** The winner of the subtree at {@code node}, its losers stored on the way. */
    private int play(int node) {
      if (node >= k) {
        return node - k;
      }
      int a = play(2 * node);
      int b = play(2 * node + 1);
      if (beats(b, a)) {
        tree[node] = a;
        return b;
      }
      tree[node] = b;
      return a;
    }

    /** Whether input a's head comes before input b's: exhausted inputs last, ties by index. */
    @SuppressWarnings("unchecked")
    private boolean beats(int a, int b) {
      if (done[a]) {
        return false;
      }
      if (done[b]) {
        return true;
      }
      int c = order.compare((T) heads[a], (T) heads[b]);
      return c < 0 || (c == 0 && a < b);
    }

    @Override
    public boolean hasNext() {
      return k > 0 && !done[tree[0]];
    }

    @Override
    @SuppressWarnings("unchecked")
    public T next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int w = tree[0];
      T out = (T) heads[w];
      advance(w);
      for (int node = (w + k) >>> 1; node >= 1; node >>>= 1) {
        if (beats(tree[node], w)) {
          int t = tree[node];
          tree[node] = w;
          w = t;
        }
      }
      tree[0] = w;
      return out;
    }
  }


  /** The sorted records; call once, after the last {@link #add}. */
  public Iterator<T> sorted() {
    if (runs.isEmpty()) {
      buffer.sort(order);
      return buffer.iterator();
    }
    if (!buffer.isEmpty()) {
      spill();
    }
    List<Iterator<T>> readers = new ArrayList<>();
    for (Path run : runs) {
      readers.add(new RunReader(run));
    }
    return merge(readers, order);
  }

  @Override
  public void close() {
    buffer = new ArrayList<>();
    for (Path run : runs) {
      try {
        Files.deleteIfExists(run);
      } catch (IOException ignored) {
        // best effort: the spill directory is temporary
      }
    }
  }

  private final class RunReader implements Iterator<T> {
    final DataInputStream in;
    T head;

    RunReader(Path file) {
      try {
        this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      advance();
    }

    @Override
    public boolean hasNext() {
      return head != null;
    }

    @Override
    public T next() {
      if (head == null) {
        throw new NoSuchElementException();
      }
      T value = head;
      advance();
      return value;
    }

    void advance() {
      try {
        head = codec.read(in);
      } catch (EOFException end) {
        head = null;
        closeQuietly();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void closeQuietly() {
      try {
        in.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }
}
