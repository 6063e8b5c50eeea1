package dev.tessera.sdk;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Turns many concurrent single-entity requests into few Arrow lookups: requests are collected
 * until {@code maxBatchSize} are waiting or the oldest has waited {@code maxWait}, then sent as one
 * lookup; each caller's future completes with its own row. If a lookup fails, every future of that
 * batch fails with the error (none is dropped, none gets another caller's row). This is how an
 * inference service that scores on a GPU turns a stream of small requests into full batches.
 *
 * <p>Every future completes, with its row or an error: the queue is bounded ({@code maxQueued};
 * beyond it a submit fails at once with {@code OVERLOADED}, a transient error), a submit racing
 * {@link #close} is either sent or failed, and if the collector thread dies, every waiting and
 * later request fails with the reason.
 *
 * <p>{@code
 * try (FeatureBatcher batcher = FeatureBatcher.builder(client, List.of("customer_activity:*", "merchant_risk:*"))
 *     .maxBatchSize(512).maxWait(Duration.ofMillis(2)).build()) {
 *   FeatureRow row = batcher.submit(Map.of("customer_id", "c-1", "merchant_id", "m-9")).join();
 *   double sum = row.getDouble("customer_activity__amount_sum_24h");
 * }
 * }
 */
public final class FeatureBatcher implements AutoCloseable {
  /** Batch sizes and waits since the batcher started (waits: submit to the batch being sent). */
  public record Stats(long requests, long batches, long failedRequests, double meanBatchSize, int maxBatchSize,
      double waitP50Millis, double waitP99Millis) {}

  private record Pending(Map<String, String> entity, CompletableFuture<FeatureRow> future, long submittedNanos) {}

  private static final Pending POISON = new Pending(Map.of(), new CompletableFuture<>(), 0);

  private final TesseraClient client;
  private final List<String> features;
  private final int maxBatchSize;
  private final long maxWaitNanos;
  private final BufferAllocator allocator;
  private final boolean ownAllocator;
  private final LinkedBlockingQueue<Pending> queue;
  private final int maxQueued;
  /** Submits hold the read lock to enqueue; close takes the write lock, so none enqueues after it. */
  private final java.util.concurrent.locks.ReentrantReadWriteLock state = new java.util.concurrent.locks.ReentrantReadWriteLock();
  /** Why the collector stopped on its own (it died), or null. */
  private volatile Throwable collectorDied;
  private final Semaphore inFlight;
  private final ExecutorService senders;
  private final Thread collector;
  private volatile boolean closed;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong batchedRequests = new AtomicLong();
  private final AtomicLong largestBatch = new AtomicLong();
  private final long[] waits = new long[8192];
  private long waitCount;

  private FeatureBatcher(Builder b) {
    this.client = b.client;
    this.features = List.copyOf(b.features);
    this.maxBatchSize = b.maxBatchSize;
    this.maxWaitNanos = b.maxWait.toNanos();
    this.maxQueued = b.maxQueued;
    this.queue = new LinkedBlockingQueue<>(b.maxQueued + 1); // + the poison pill
    this.ownAllocator = b.allocator == null;
    this.allocator = b.allocator == null ? new RootAllocator() : b.allocator;
    this.inFlight = new Semaphore(b.maxConcurrentBatches);
    this.senders = Executors.newFixedThreadPool(b.maxConcurrentBatches, r -> {
      Thread t = new Thread(r, "tessera-batcher-send");
      t.setDaemon(true);
      return t;
    });
    this.collector = new Thread(this::collect, "tessera-batcher");
    collector.setDaemon(true);
    collector.start();
  }

  public static Builder builder(TesseraClient client, List<String> features) {
    return new Builder(client, features);
  }

  /**
   * Queues one entity; the future completes with its row, or with the lookup's error; at once with
   * {@code OVERLOADED} when {@code maxQueued} requests are waiting, or an error when closed.
   */
  public CompletableFuture<FeatureRow> submit(Map<String, String> entity) {
    Objects.requireNonNull(entity, "entity is null");
    java.util.concurrent.locks.Lock lock = state.readLock();
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("FeatureBatcher is closed"));
      }
      Throwable died = collectorDied;
      if (died != null) {
        return CompletableFuture.failedFuture(new IllegalStateException("FeatureBatcher's collector thread died: " + died, died));
      }
      CompletableFuture<FeatureRow> f = new CompletableFuture<>();
      requests.incrementAndGet();
      if (queue.size() >= maxQueued || !queue.offer(new Pending(Map.copyOf(entity), f, System.nanoTime()))) {
        failed.incrementAndGet();
        f.completeExceptionally(new TesseraClientException.ServiceUnavailableException(0, "OVERLOADED",
            "FeatureBatcher: " + maxQueued + " requests are waiting already (maxQueued); retry later", null));
      }
      return f;
    } finally {
      lock.unlock();
    }
  }

  private void collect() {
    try {
      collectBatches();
    } catch (Throwable e) {
      collectorDied = e instanceof InterruptedException ? new IllegalStateException("interrupted", e) : e;
    } finally {
      if (!closed) {
        // died on its own: nothing will send what waits, so fail it
        failQueued(new IllegalStateException("FeatureBatcher's collector thread died: " + collectorDied, collectorDied));
      }
    }
  }

  private void collectBatches() throws InterruptedException {
    while (true) {
      Pending first = queue.take();
      if (first == POISON) {
        return;
      }
      List<Pending> batch = new ArrayList<>(maxBatchSize);
      batch.add(first);
      boolean stop = false;
      long deadline = first.submittedNanos() + maxWaitNanos;
      while (batch.size() < maxBatchSize) {
        long left = deadline - System.nanoTime();
        Pending next = left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
        if (next == null) {
          break;
        }
        if (next == POISON) {
          stop = true;
          break;
        }
        batch.add(next);
      }
      try {
        inFlight.acquire();
      } catch (InterruptedException e) {
        batch.forEach(p -> p.future().completeExceptionally(new IllegalStateException("FeatureBatcher interrupted", e)));
        throw e;
      }
      long sentAt = System.nanoTime();
      recordWaits(batch, sentAt);
      try {
        senders.execute(() -> {
          try {
            send(batch);
          } finally {
            inFlight.release();
          }
        });
      } catch (RuntimeException e) {
        inFlight.release();
        failed.addAndGet(batch.size());
        batch.forEach(p -> p.future().completeExceptionally(e));
        throw e;
      }
      if (stop) {
        return;
      }
    }
  }

  private void failQueued(Throwable why) {
    for (Pending p; (p = queue.poll()) != null; ) {
      if (p != POISON) {
        failed.incrementAndGet();
        p.future().completeExceptionally(why);
      }
    }
  }

  private void send(List<Pending> batch) {
    batches.incrementAndGet();
    batchedRequests.addAndGet(batch.size());
    largestBatch.accumulateAndGet(batch.size(), Math::max);
    List<Map<String, String>> entities = new ArrayList<>(batch.size());
    batch.forEach(p -> entities.add(p.entity()));
    try (VectorSchemaRoot root = client.lookupArrow(features, entities, allocator)) {
      if (root.getRowCount() != batch.size()) {
        throw new TesseraClientException(200, "BAD_RESPONSE", TesseraClientException.Kind.INTERNAL,
            "lookup answered " + root.getRowCount() + " rows for " + batch.size() + " entities", null);
      }
      List<FieldVector> vectors = root.getFieldVectors();
      for (int i = 0; i < batch.size(); i++) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (FieldVector v : vectors) {
          Object o = v.getObject(i);
          row.put(v.getName(), o instanceof org.apache.arrow.vector.util.Text t ? t.toString() : o);
        }
        batch.get(i).future().complete(new FeatureRow(row));
      }
    } catch (Throwable e) {
      failed.addAndGet(batch.size());
      batch.forEach(p -> p.future().completeExceptionally(e));
    }
  }

  private synchronized void recordWaits(List<Pending> batch, long sentAt) {
    for (Pending p : batch) {
      waits[(int) (waitCount++ % waits.length)] = sentAt - p.submittedNanos();
    }
  }

  public synchronized Stats stats() {
    int n = (int) Math.min(waitCount, waits.length);
    long[] sorted = Arrays.copyOf(waits, n);
    Arrays.sort(sorted);
    long b = batches.get();
    return new Stats(requests.get(), b, failed.get(), b == 0 ? 0 : (double) batchedRequests.get() / b, (int) largestBatch.get(),
        n == 0 ? Double.NaN : sorted[(n - 1) / 2] / 1e6, n == 0 ? Double.NaN : sorted[Math.max(0, (int) Math.ceil(0.99 * n) - 1)] / 1e6);
  }

  /** Sends what is queued, waits for the batches in flight, and stops; a request it could not send fails. */
  @Override
  public void close() {
    state.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true; // from here no submit enqueues
    } finally {
      state.writeLock().unlock();
    }
    while (!queue.offer(POISON)) {
      Thread.onSpinWait(); // the queue is bounded; the collector is draining it (or dead: see below)
      if (!collector.isAlive()) {
        break;
      }
    }
    try {
      collector.join();
      senders.shutdown();
      senders.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failQueued(new IllegalStateException("FeatureBatcher closed before the request was sent"));
    if (ownAllocator) {
      allocator.close();
    }
  }

  /** Options of a {@link FeatureBatcher}. */
  public static final class Builder {
    private final TesseraClient client;
    private final List<String> features;
    private int maxBatchSize = 256;
    private Duration maxWait = Duration.ofMillis(2);
    private int maxConcurrentBatches = 2;
    private int maxQueued = 65_536;
    private BufferAllocator allocator;

    Builder(TesseraClient client, List<String> features) {
      this.client = Objects.requireNonNull(client, "client is null");
      this.features = Objects.requireNonNull(features, "features is null");
    }

    /** The most entities in one lookup (at most the service's tessera.online.max-entities). */
    public Builder maxBatchSize(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxBatchSize is " + n + ", expected >= 1");
      }
      this.maxBatchSize = n;
      return this;
    }

    /** How long the oldest queued request may wait for others before its batch is sent. */
    public Builder maxWait(Duration d) {
      this.maxWait = Objects.requireNonNull(d, "maxWait is null");
      return this;
    }

    /** Lookups in flight at once; the collector waits when all are busy, so batches grow under load. */
    public Builder maxConcurrentBatches(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConcurrentBatches is " + n + ", expected >= 1");
      }
      this.maxConcurrentBatches = n;
      return this;
    }

    /** The most requests waiting to be batched; beyond it a submit fails at once with OVERLOADED (default 65,536). */
    public Builder maxQueued(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxQueued is " + n + ", expected >= 1");
      }
      this.maxQueued = n;
      return this;
    }

    /** Arrow memory for the lookups (default: the batcher's own). */
    public Builder allocator(BufferAllocator allocator) {
      this.allocator = allocator;
      return this;
    }

    public FeatureBatcher build() {
      return new FeatureBatcher(this);
    }
  }
}
