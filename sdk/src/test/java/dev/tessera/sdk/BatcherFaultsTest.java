package dev.tessera.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batcher under faults: a full queue, a close racing submits, a collector thread that dies.
 * Every future completes, with its row or an error; a stub service answers Arrow after a delay.
 */
class BatcherFaultsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  HttpServer server;

  /** Answers each lookup with one row per entity (txn_count_1h = the row index), after {@code delayMillis}. */
  String serve(long delayMillis) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    server.createContext("/", ex -> {
      try {
        Thread.sleep(delayMillis);
        int n = JSON.readTree(ex.getRequestBody().readAllBytes()).path("entities").size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RootAllocator a = new RootAllocator(); BigIntVector v = new BigIntVector("customer_activity__txn_count_1h", a)) {
          v.allocateNew(n);
          for (int i = 0; i < n; i++) {
            v.set(i, i);
          }
          v.setValueCount(n);
          try (VectorSchemaRoot root = VectorSchemaRoot.of(v); ArrowStreamWriter w = new ArrowStreamWriter(root, null, out)) {
            w.start();
            w.writeBatch();
            w.end();
          }
        }
        byte[] body = out.toByteArray();
        ex.getResponseHeaders().add("Content-Type", TesseraClient.ARROW);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream o = ex.getResponseBody()) {
          o.write(body);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  static TesseraClient client(String url) {
    return TesseraClient.builder().baseUrl(url).apiKey("k").retries(0).timeout(Duration.ofSeconds(10)).build();
  }

  /** Waits for every future; returns how many failed, each failure's cause checked by {@code expected}. */
  static long completed(List<CompletableFuture<FeatureRow>> futures) {
    long failed = 0;
    for (CompletableFuture<FeatureRow> f : futures) {
      try {
        assertThat(f.get(20, TimeUnit.SECONDS).getLong("customer_activity__txn_count_1h")).isNotNull();
      } catch (java.util.concurrent.ExecutionException e) {
        failed++;
      } catch (Exception e) {
        throw new AssertionError("a future did not complete: " + e, e);
      }
    }
    return failed;
  }

  @Test
  void aFullQueueFailsFastAsOverloadedAndEveryFutureCompletes() throws Exception {
    try (TesseraClient client = client(serve(300)); FeatureBatcher b = FeatureBatcher.builder(client, List.of("customer_activity:*"))
        .maxBatchSize(2).maxConcurrentBatches(1).maxQueued(4).maxWait(Duration.ofMillis(1)).build()) {
      List<CompletableFuture<FeatureRow>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        futures.add(b.submit(Map.of("customer_id", "c-" + i)));
      }
      List<Throwable> refusals = new ArrayList<>();
      for (CompletableFuture<FeatureRow> f : futures) {
        if (f.isCompletedExceptionally()) {
          refusals.add(f.handle((r, e) -> e).join());
        }
      }
      assertThat(refusals).as("refused at once, not queued").isNotEmpty().allSatisfy(e -> {
        assertThat(e).isInstanceOf(TesseraClientException.ServiceUnavailableException.class);
        assertThat(((TesseraClientException) e).code()).isEqualTo("OVERLOADED");
        assertThat(((TesseraClientException) e).transientFailure()).isTrue();
      });
      assertThat(completed(futures)).isEqualTo(refusals.size());
    }
  }

  @Test
  void closeRacingSubmitsLeavesNoFutureHanging() throws Exception {
    try (TesseraClient client = client(serve(20))) {
      FeatureBatcher b = FeatureBatcher.builder(client, List.of("customer_activity:*")).maxBatchSize(16).build();
      List<CompletableFuture<FeatureRow>> futures = new CopyOnWriteArrayList<>();
      List<Thread> submitters = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int id = t;
        Thread s = new Thread(() -> {
          for (int i = 0; i < 2000; i++) {
            futures.add(b.submit(Map.of("customer_id", "c-" + id + "-" + i)));
          }
        });
        s.start();
        submitters.add(s);
      }
      Thread.sleep(50);
      b.close();
      for (Thread s : submitters) {
        s.join();
      }
      long failed = completed(futures);
      assertThat(futures).hasSize(8000);
      assertThat(failed).as("after close, submits fail; before it, they are sent").isLessThan(8000);
    }
  }

  @Test
  void aDeadCollectorFailsWhatWaitsAndEveryLaterSubmit() throws Exception {
    try (TesseraClient client = client(serve(500)); FeatureBatcher b = FeatureBatcher.builder(client, List.of("customer_activity:*"))
        .maxBatchSize(1).maxConcurrentBatches(1).maxWait(Duration.ofMillis(1)).build()) {
      List<CompletableFuture<FeatureRow>> futures = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        futures.add(b.submit(Map.of("customer_id", "c-" + i)));
      }
      Thread collector = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("tessera-batcher")).findFirst()
          .orElseThrow();
      collector.interrupt(); // the collector dies, with batches still queued
      collector.join(5000);
      CompletableFuture<FeatureRow> later = b.submit(Map.of("customer_id", "c-late"));
      assertThat(later).isCompletedExceptionally();
      assertThat(later.handle((r, e) -> e).join()).hasMessageContaining("collector thread died");
      futures.add(later);
      assertThat(completed(futures)).isPositive();
    }
  }
}
