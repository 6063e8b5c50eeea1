package dev.tessera.bench;

import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.sdk.FeatureBatcher;
import dev.tessera.sdk.TesseraClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The SDK's FeatureBatcher against one call per request, at the same concurrency, against the
 * packaged service (RocksDB) on a real broker: N caller threads in closed loop, each wanting one
 * entity's 10 features (customer_activity:* and 5 of merchant_risk). One call per request is
 * measured both as a JSON lookup and as a one-row Arrow lookup (the batcher's own endpoint).
 */
public final class BatcherBenchmark {
  static final List<String> FEATURES = List.of("customer_activity:*", "merchant_risk:txn_count_24h", "merchant_risk:amount_sum_1h",
      "merchant_risk:amount_avg_24h", "merchant_risk:amount_max_24h", "merchant_risk:last_country");

  interface Call {
    void call(Map<String, String> entity) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = SnapshotBenchmark.parse(args);
    int customers = Integer.parseInt(opts.getOrDefault("customers", "100000"));
    int merchants = Integer.parseInt(opts.getOrDefault("merchants", "10000"));
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "15"));
    int port = Integer.parseInt(opts.getOrDefault("port", "18090"));
    Path work = Path.of(opts.getOrDefault("work", "/tmp/tessera-bench-batcher"));
    ContractRegistry registry = ContractRegistry.fromDirectory(Path.of("contracts/examples"));
    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      Process server = ServingBenchmark.seededService(kafka, registry, work, customers, merchants, port);
      try {
        try (TesseraClient client = TesseraClient.builder().baseUrl("http://127.0.0.1:" + port).apiKey(ServingBenchmark.KEY)
                .timeout(Duration.ofSeconds(5)).build();
            RootAllocator allocator = new RootAllocator()) {
          System.out.printf("batcher benchmark: %d cores, %,d customers, %,d merchants, 10 features, %.0f s per step, closed loop%n",
              Runtime.getRuntime().availableProcessors(), customers, merchants, seconds);
          Call json = e -> client.lookup(FEATURES, List.of(e));
          Call arrow = e -> {
            try (VectorSchemaRoot r = client.lookupArrow(FEATURES, List.of(e), allocator)) {
              r.getRowCount();
            }
          };
          run("warm-up", 16, 10, customers, merchants, json);
          run("warm-up", 16, 10, customers, merchants, arrow);
          System.out.println("| callers | mode | requests/s | p50 ms | p99 ms | batches/s | mean batch | batcher wait p50/p99 ms |");
          System.out.println("|---|---|---|---|---|---|---|---|");
          for (String c : opts.getOrDefault("concurrency", "16,64").split(",")) {
            int callers = Integer.parseInt(c);
            print(callers, "one JSON lookup per request", run("json", callers, seconds, customers, merchants, json), null);
            print(callers, "one Arrow lookup per request", run("arrow", callers, seconds, customers, merchants, arrow), null);
            try (FeatureBatcher batcher = FeatureBatcher.builder(client, FEATURES).maxBatchSize(256).maxWait(Duration.ofMillis(2))
                .maxConcurrentBatches(2).allocator(allocator).build()) {
              run("warm-up", callers, 5, customers, merchants, e -> batcher.submit(e).get());
              FeatureBatcher.Stats before = batcher.stats();
              double[] r = run("batcher", callers, seconds, customers, merchants, e -> batcher.submit(e).get());
              FeatureBatcher.Stats after = batcher.stats();
              long batches = after.batches() - before.batches();
              long requests = after.requests() - before.requests();
              print(callers, "FeatureBatcher (max 256, 2 ms)", r, String.format("%,.0f | %.1f | %.2f / %.2f", batches / seconds,
                  (double) requests / batches, after.waitP50Millis(), after.waitP99Millis()));
            }
          }
        }
      } finally {
        server.destroy();
        server.waitFor();
      }
    }
  }

  static void print(int callers, String mode, double[] r, String batch) {
    System.out.printf("| %d | %s | %,.0f | %.2f | %.2f | %s |%n", callers, mode, r[0], r[1], r[2], batch == null ? "- | - | -" : batch);
  }

  /** Closed loop: returns {requests/s, p50 ms, p99 ms}. */
  static double[] run(String name, int callers, double seconds, int customers, int merchants, Call call) throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    AtomicLong errors = new AtomicLong();
    long[][] lat = new long[callers][];
    int[] counts = new int[callers];
    CountDownLatch done = new CountDownLatch(callers);
    long start = System.nanoTime();
    for (int t = 0; t < callers; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        SplittableRandom r = new SplittableRandom(id);
        long[] l = new long[1 << 16];
        int n = 0;
        while (System.nanoTime() < end) {
          Map<String, String> e = Map.of("customer_id", "c-" + r.nextInt(customers), "merchant_id", "m-" + r.nextInt(merchants));
          long t0 = System.nanoTime();
          try {
            call.call(e);
          } catch (Exception x) {
            errors.incrementAndGet();
          }
          if (n == l.length) {
            l = Arrays.copyOf(l, n * 2);
          }
          l[n++] = System.nanoTime() - t0;
        }
        lat[id] = l;
        counts[id] = n;
        done.countDown();
      });
      th.setDaemon(true);
      th.start();
    }
    done.await();
    double secs = (System.nanoTime() - start) / 1e9;
    List<Long> all = new ArrayList<>();
    long[] merged = new long[Arrays.stream(counts).sum()];
    int k = 0;
    for (int t = 0; t < callers; t++) {
      System.arraycopy(lat[t], 0, merged, k, counts[t]);
      k += counts[t];
    }
    Arrays.sort(merged);
    if (errors.get() > 0) {
      System.out.printf("  (%s: %d errors)%n", name, errors.get());
    }
    all.clear();
    return new double[] {merged.length / secs, merged[merged.length / 2] / 1e6, merged[Math.max(0, (int) Math.ceil(0.99 * merged.length) - 1)] / 1e6};
  }
}
