package dev.tessera.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.sdk.TesseraClientException.AccessDeniedException;
import dev.tessera.sdk.TesseraClientException.FeatureNotFoundException;
import dev.tessera.sdk.TesseraClientException.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The SDK against the running online service and a real broker. */
@Timeout(300)
class SdkIT {
  static ServiceFixture fixture;
  static TesseraClient client;

  @BeforeAll
  static void start() throws Exception {
    fixture = new ServiceFixture();
    client = TesseraClient.builder().baseUrl(fixture.baseUrl()).apiKey(ServiceFixture.FRAUD_KEY).build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    fixture.close();
  }

  @Test
  void typedVectors() {
    FeatureVector v = client.get("customer_activity", Map.of("customer_id", "c-42"));
    assertThat(v.status()).isEqualTo(FeatureVector.Status.OK);
    assertThat(v.getLong("txn_count_1h")).isEqualTo(42L);
    assertThat(v.getString("last_country")).isEqualTo("C42");
    assertThat(v.getDouble("amount_sum_24h")).isEqualTo(63.0);
    assertThat(v.eventTime().toEpochMilli()).isEqualTo(fixture.seededAt - 1000);
    assertThat(v.age().toMillis()).isGreaterThanOrEqualTo(1000);
    FeatureVector missing = client.get("customer_activity", Map.of("customer_id", "c-nobody"));
    assertThat(missing.status()).isEqualTo(FeatureVector.Status.MISSING);
    assertThat(missing.getLong("txn_count_1h")).isNull();

    List<Map<String, FeatureVector>> many = client.lookup(List.of("customer_activity:txn_count_1h", "merchant_risk:txn_count_24h"),
        List.of(Map.of("customer_id", "c-7", "merchant_id", "m-3"), Map.of("customer_id", "c-8", "merchant_id", "m-4")));
    assertThat(many).hasSize(2);
    assertThat(many.get(0).get("customer_activity").getLong("txn_count_1h")).isEqualTo(7L);
    assertThat(many.get(1).get("merchant_risk").getLong("txn_count_24h")).isEqualTo(1004L);
  }

  @Test
  void arrowBatchIsTheCallersToClose() {
    List<Map<String, String>> entities = ServiceFixture.entities(300, new Random(4));
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = client.lookupArrow(List.of("customer_activity:*", "merchant_risk:txn_count_24h"), entities, allocator)) {
      assertThat(root.getRowCount()).isEqualTo(300);
      BigIntVector count = (BigIntVector) root.getVector("customer_activity__txn_count_1h");
      VarCharVector country = (VarCharVector) root.getVector("customer_activity__last_country");
      for (int i = 0; i < 300; i++) {
        int c = Integer.parseInt(entities.get(i).get("customer_id").substring(2));
        if (c < ServiceFixture.CUSTOMERS) {
          assertThat(count.get(i)).isEqualTo(ServiceFixture.txnCount(c));
          assertThat(new String(country.get(i), StandardCharsets.UTF_8)).isEqualTo("C" + c);
        } else {
          assertThat(count.isNull(i)).isTrue();
        }
      }
    }
  }

  @Test
  void typedErrorsAreNotRetried() {
    assertThatThrownBy(() -> client.get("customer_activty", Map.of("customer_id", "c-1")))
        .isInstanceOf(FeatureNotFoundException.class).hasMessageContaining("did you mean 'customer_activity'");
    assertThatThrownBy(() -> client.lookup(List.of("customer_activity:nope"), List.of(Map.of("customer_id", "c-1"))))
        .isInstanceOf(FeatureNotFoundException.class);
    assertThatThrownBy(() -> client.get("customer_activity", Map.of("customer", "c-1")))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Unknown key 'customer'");
    try (TesseraClient marketing = TesseraClient.builder().baseUrl(fixture.baseUrl()).apiKey(ServiceFixture.MARKETING_KEY).build();
        TesseraClient nobody = TesseraClient.builder().baseUrl(fixture.baseUrl()).apiKey("wrong").build()) {
      assertThatThrownBy(() -> marketing.get("merchant_risk", Map.of("merchant_id", "m-1")))
          .isInstanceOfSatisfying(AccessDeniedException.class, e -> assertThat(e.status()).isEqualTo(403));
      assertThatThrownBy(() -> nobody.get("customer_activity", Map.of("customer_id", "c-1")))
          .isInstanceOfSatisfying(AccessDeniedException.class, e -> assertThat(e.status()).isEqualTo(401));
    }
  }

  /** 64 threads, each caller gets its own row; batches are formed. */
  @Test
  void batcherUnderConcurrency() throws Exception {
    try (FeatureBatcher batcher = FeatureBatcher.builder(client, List.of("customer_activity:*", "merchant_risk:txn_count_24h"))
        .maxBatchSize(128).maxWait(java.time.Duration.ofMillis(3)).build()) {
      int threads = 64;
      int perThread = 40;
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicInteger done = new AtomicInteger();
      for (int t = 0; t < threads; t++) {
        int seed = t;
        Thread w = new Thread(() -> {
          Random r = new Random(seed);
          try {
            start.await();
            for (int i = 0; i < perThread; i++) {
              int c = r.nextInt(ServiceFixture.CUSTOMERS);
              int m = r.nextInt(ServiceFixture.MERCHANTS);
              FeatureRow row = batcher.submit(Map.of("customer_id", "c-" + c, "merchant_id", "m-" + m)).get();
              if (row.getLong("customer_activity__txn_count_1h") != c || row.getLong("merchant_risk__txn_count_24h") != 1000 + m
                  || !row.getString("customer_activity__last_country").equals("C" + c)) {
                problems.add("c-" + c + "/m-" + m + " got " + row);
              }
              done.incrementAndGet();
            }
          } catch (Exception e) {
            problems.add(e.toString());
          }
        });
        workers.add(w);
        w.start();
      }
      start.countDown();
      for (Thread w : workers) {
        w.join();
      }
      assertThat(problems).isEmpty();
      assertThat(done.get()).isEqualTo(threads * perThread);
      FeatureBatcher.Stats stats = batcher.stats();
      assertThat(stats.requests()).isEqualTo(threads * perThread);
      assertThat(stats.failedRequests()).isZero();
      assertThat(stats.meanBatchSize()).as("64 concurrent callers share lookups").isGreaterThan(1.0);
      assertThat(stats.batches()).isLessThan(threads * perThread);
    }
  }

  /**
   * Lookups failing through a proxy that answers every third one with 503: every request completes
   * exactly once, with its own row or with the error of its batch; none is lost.
   */
  @Test
  void batcherLosesNothingWhenLookupsFail() throws Exception {
    try (FlakyProxy proxy = new FlakyProxy(fixture.baseUrl(), 3);
        TesseraClient noRetry = TesseraClient.builder().baseUrl(proxy.url()).apiKey(ServiceFixture.FRAUD_KEY).retryPolicy(RetryPolicy.NONE).build();
        FeatureBatcher batcher = FeatureBatcher.builder(noRetry, List.of("customer_activity:txn_count_1h")).maxBatchSize(16)
            .maxWait(java.time.Duration.ofMillis(2)).build()) {
      int n = 2000;
      Map<Integer, CompletableFuture<FeatureRow>> futures = new ConcurrentHashMap<>();
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < 64; t++) {
        int from = t;
        Thread w = new Thread(() -> {
          for (int i = from; i < n; i += 64) {
            futures.put(i, batcher.submit(Map.of("customer_id", "c-" + (i % ServiceFixture.CUSTOMERS))));
          }
        });
        workers.add(w);
        w.start();
      }
      for (Thread w : workers) {
        w.join();
      }
      int ok = 0;
      int failed = 0;
      for (var e : futures.entrySet()) {
        try {
          FeatureRow row = e.getValue().get(60, java.util.concurrent.TimeUnit.SECONDS);
          assertThat(row.getLong("customer_activity__txn_count_1h")).isEqualTo(e.getKey() % ServiceFixture.CUSTOMERS);
          ok++;
        } catch (ExecutionException x) {
          assertThat(x.getCause()).isInstanceOf(TesseraClientException.ServiceUnavailableException.class);
          failed++;
        }
      }
      assertThat(futures).hasSize(n);
      assertThat(ok + failed).isEqualTo(n);
      assertThat(failed).as("the proxy failed some lookups").isPositive();
      assertThat(ok).isPositive();
      assertThat(batcher.stats().failedRequests()).isEqualTo(failed);
    }
  }
}
