package dev.tessera.sdk.examples;

import dev.tessera.sdk.FeatureBatcher;
import dev.tessera.sdk.FeatureRow;
import dev.tessera.sdk.TesseraClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An inference service's request loop: many concurrent scoring requests, each for one payment;
 * the {@link FeatureBatcher} turns them into full Arrow batches for the feature lookup (on a GPU
 * service the same batches feed the model). Run: {@code InferenceLoopExample <base url> <api key>}.
 */
public final class InferenceLoopExample {
  private InferenceLoopExample() {}

  public static void main(String[] args) throws Exception {
    try (TesseraClient client = TesseraClient.builder().baseUrl(args[0]).apiKey(args[1]).timeout(Duration.ofMillis(500)).build()) {
      FeatureBatcher.Stats stats = run(client, 5_000, 32, 500, 50);
      System.out.println(stats);
    }
  }

  /** Scores {@code requests} payments from {@code concurrency} threads; returns the batcher's stats. */
  public static FeatureBatcher.Stats run(TesseraClient client, int requests, int concurrency, int customers, int merchants) throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(concurrency);
    try (FeatureBatcher batcher = FeatureBatcher.builder(client, List.of("customer_activity:*", "merchant_risk:txn_count_24h"))
        .maxBatchSize(256).maxWait(Duration.ofMillis(2)).build()) {
      List<Future<Double>> scores = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        scores.add(callers.submit(() -> {
          ThreadLocalRandom r = ThreadLocalRandom.current();
          FeatureRow row = batcher.submit(Map.of("customer_id", "c-" + r.nextInt(customers), "merchant_id", "m-" + r.nextInt(merchants))).join();
          return score(row);
        }));
      }
      for (Future<Double> s : scores) {
        s.get();
      }
      return batcher.stats();
    } finally {
      callers.shutdown();
    }
  }

  /** A stand-in model: a logistic score over a few features (missing values count as 0). */
  static double score(FeatureRow row) {
    double count = orZero(row.getLong("customer_activity__txn_count_1h"));
    double sum = orZero(row.getDouble("customer_activity__amount_sum_24h"));
    double merchant = orZero(row.getLong("merchant_risk__txn_count_24h"));
    return 1 / (1 + Math.exp(-(0.02 * count + 0.001 * sum - 0.0001 * merchant)));
  }

  private static double orZero(Number n) {
    return n == null ? 0 : n.doubleValue();
  }
}
