package dev.tessera.offline.snapshot.join;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Writes output rows on a thread of its own, in batches, while the caller builds the next ones
 * (encoding and compressing Parquet is about half of the last pass); on one core, in the caller's
 * thread. Rows are written in the order given. A failure of the writer surfaces in the caller's
 * next {@link #write} or in {@link #finish}.
 */
final class BackgroundWriter implements AutoCloseable {
  private static final int BATCH = 1024;
  private static final Object[][] END = new Object[0][];

  private final Consumer<Object[]> out;
  private final BlockingQueue<Object[][]> queue = new ArrayBlockingQueue<>(8);
  private final Thread thread;
  private volatile RuntimeException failure;
  private Object[][] batch = new Object[BATCH][];
  private int size;
  private boolean finished;

  /** @param out where rows go (the snapshot's output); called from one thread at a time, in row order */
  BackgroundWriter(Consumer<Object[]> out, boolean background) {
    this.out = out;
    this.thread = background ? new Thread(this::drain, "snapshot-writer") : null;
    if (thread != null) {
      thread.setDaemon(true);
      thread.start();
    }
  }

  void write(Object[] row) {
    if (thread == null) {
      out.accept(row);
      return;
    }
    batch[size++] = row;
    if (size == BATCH) {
      hand(batch);
      batch = new Object[BATCH][];
      size = 0;
    }
  }

  /** Writes what is left and waits for the writer; rethrows its failure. */
  void finish() {
    if (thread != null && !finished) {
      finished = true;
      if (size > 0) {
        hand(Arrays.copyOf(batch, size));
      }
      hand(END);
      join();
      checkFailure();
    }
  }

  private void hand(Object[][] rows) {
    try {
      while (!queue.offer(rows, 100, TimeUnit.MILLISECONDS)) {
        checkFailure();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TesseraException(ErrorCode.INTERNAL, "Interrupted while writing the snapshot", e);
    }
    checkFailure();
  }

  private void checkFailure() {
    RuntimeException f = failure;
    if (f != null) {
      throw f;
    }
  }

  private void drain() {
    try {
      while (true) {
        Object[][] rows = queue.take();
        if (rows == END) {
          return;
        }
        for (Object[] row : rows) {
          out.accept(row);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure = e;
    } catch (Error e) {
      failure = new TesseraException(ErrorCode.INTERNAL, "Cannot write the snapshot: " + e, e);
    }
  }

  private void join() {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TesseraException(ErrorCode.INTERNAL, "Interrupted while writing the snapshot", e);
    }
  }

  /** Stops the writer without writing the rest (after a failure of the caller). */
  @Override
  public void close() {
    if (thread != null && thread.isAlive()) {
      thread.interrupt();
      join();
    }
  }
}
