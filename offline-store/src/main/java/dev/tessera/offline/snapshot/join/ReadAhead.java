package dev.tessera.offline.snapshot.join;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An iterator advanced on a thread of its own: the source's elements are taken in chunks, handed
 * over through a small queue and consumed here in the same order, so that producing them (reading
 * and merging the table's files) and consuming them (the join) run on two cores. A failure of the
 * source is rethrown to the consumer where its element would have come.
 */
final class ReadAhead<T> implements Iterator<T>, AutoCloseable {
  private static final int CHUNK = 2048;
  private static final Object[] END = new Object[0];

  private final BlockingQueue<Object[]> queue = new ArrayBlockingQueue<>(8);
  private final Thread thread;
  private volatile RuntimeException failure;
  private Object[] chunk;
  private int pos;
  private boolean done;

  ReadAhead(Iterator<T> source, String name) {
    this(() -> source, name);
  }

  /** The source made on the new thread too (opening it may be work: a merge reads each input's first rows). */
  ReadAhead(java.util.function.Supplier<Iterator<T>> source, String name) {
    this.thread = new Thread(() -> produce(source), name);
    thread.setDaemon(true);
    thread.start();
  }

  private void produce(java.util.function.Supplier<Iterator<T>> opened) {
    try {
      Iterator<T> source = opened.get();
      while (source.hasNext()) {
        Object[] c = new Object[CHUNK];
        int n = 0;
        while (n < CHUNK && source.hasNext()) {
          c[n++] = source.next();
        }
        queue.put(n == CHUNK ? c : java.util.Arrays.copyOf(c, n));
      }
    } catch (InterruptedException e) {
      return; // closed
    } catch (RuntimeException e) {
      failure = e;
    } catch (Error e) {
      failure = new TesseraException(ErrorCode.INTERNAL, "Cannot read the table: " + e, e);
    }
    try {
      queue.put(END);
    } catch (InterruptedException e) {
      // closed
    }
  }

  @Override
  public boolean hasNext() {
    while (!done && (chunk == null || pos >= chunk.length)) {
      Object[] c;
      try {
        c = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TesseraException(ErrorCode.INTERNAL, "Interrupted while reading the table", e);
      }
      if (c == null) {
        continue;
      }
      if (c == END) {
        done = true;
        RuntimeException f = failure;
        if (f != null) {
          throw f;
        }
      } else {
        chunk = c;
        pos = 0;
      }
    }
    return !done;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    T v = (T) chunk[pos];
    chunk[pos++] = null;
    return v;
  }

  /** Stops the producer and waits for it, so that its source can be closed after. */
  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
