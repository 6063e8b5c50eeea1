package dev.tessera.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tessera.cli.audit.Audit;
import dev.tessera.cli.up.LocalStack;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.sdk.FeatureVector;
import dev.tessera.sdk.TesseraClient;
import dev.tessera.sdk.offline.TesseraOffline;
import dev.tessera.sdk.offline.TrainingSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The platform end to end on the stack of `tessera up` (Kafka child JVM, Flink MiniCluster,
 * Iceberg on SQLite, online-serving child JVM): events become visible online; bad events go to the
 * DLQ; after the watermark a training snapshot equals a reference built from the events; the audit
 * finds no skew; a stop and restart loses nothing. Event times follow a test clock that only moves
 * forward, as a real stream's do.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {
  static Path home;
  static int port;
  static LocalStack stack;
  static TesseraClient client;
  static long clock = System.currentTimeMillis();
  static final List<Stack.Payment> history = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    home = Files.createTempDirectory("tessera-e2e");
    port = Stack.freePort();
    stack = Stack.start(home, port, Map.of());
    client = TesseraClient.builder().baseUrl(stack.baseUrl()).apiKey(Stack.API_KEY).build();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  static void produce(List<Stack.Payment> payments) throws Exception {
    Stack.produce(stack.bootstrapServers(), payments);
    history.addAll(payments);
  }

  /** Moves the watermark past everything so far (+ the 10 min allowed lateness): a payment 15 min later, for a tick key. */
  static void tick() throws Exception {
    clock += Duration.ofMinutes(15).toMillis();
    produce(List.of(new Stack.Payment("tick-" + clock, "c-tick", "m-tick", 1.0, "DE", clock)));
  }

  static long count(String customer) {
    FeatureVector v = client.get("customer_activity", Map.of("customer_id", customer));
    return v.ok() ? v.getLong("txn_count_1h") : 0;
  }

  @Test
  @Order(1)
  void eventsBecomeVisibleOnlineWithMeasuredFreshness() throws Exception {
    List<Stack.Payment> batch = new ArrayList<>();
    Map<String, Integer> expected = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      String c = "c-e2e-" + (i % 20);
      batch.add(new Stack.Payment("t-" + i, c, "m-" + (i % 7), 10.0 + i, "DE", clock + i));
      expected.merge(c, 1, Integer::sum);
    }
    produce(batch);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> expected.forEach((c, n) -> assertThat(count(c)).as(c).isEqualTo((long) n)));
    // one probe event: produced -> visible online
    long sent = System.currentTimeMillis();
    clock = Math.max(clock + 1000, sent);
    produce(List.of(new Stack.Payment("probe", "c-probe", "m-1", 5.0, "NL", clock)));
    await().pollInterval(Duration.ofMillis(10)).atMost(Duration.ofSeconds(30)).until(() -> count("c-probe") == 1);
    long freshness = System.currentTimeMillis() - sent;
    System.out.println("e2e freshness of one event (produced -> visible online): " + freshness + " ms");
    assertThat(client.get("customer_activity", Map.of("customer_id", "c-probe")).getString("last_country")).isEqualTo("NL");
  }

  @Test
  @Order(2)
  void badEventsLandInTheDlq() throws Exception {
    clock += 1000;
    List<byte[]> bad = new ArrayList<>();
    bad.add("not avro at all".getBytes(StandardCharsets.UTF_8));
    bad.add(Stack.encode(new Stack.Payment("neg", "c-bad", "m-1", -5.0, "DE", clock)));        // quality: range
    bad.add(Stack.encode(new Stack.Payment("null", "c-bad", "m-1", null, "DE", clock)));       // quality: not_null
    bad.add(Stack.encode(new Stack.Payment("late", "c-bad", "m-1", 3.0, "DE", clock - Duration.ofDays(1).toMillis()))); // beyond allowed lateness
    Stack.produceRaw(stack.bootstrapServers(), Stack.PAYMENTS, bad);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      List<Map<String, String>> dlq = Stack.readHeaders(stack.bootstrapServers(), Stack.PAYMENTS + ".tessera-dlq");
      List<String> reasons = dlq.stream().filter(h -> "customer_activity".equals(h.get("tessera.contract"))).map(h -> h.get("tessera.reason")).toList();
      assertThat(reasons).as(dlq.toString()).hasSize(4);
      assertThat(reasons).contains("decode_error", "late");
      assertThat(reasons.stream().filter(r -> r.equals("quality_rule")).count()).isEqualTo(2);
    });
    assertThat(count("c-bad")).as("nothing of the bad events is served").isZero();
  }

  @Test
  @Order(3)
  void afterTheWatermarkASnapshotEqualsTheReference() throws Exception {
    Random r = new Random(3);
    String[] countries = {"DE", "FR", "NL", "US"};
    long start = clock + 1000;
    List<Stack.Payment> batch = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      batch.add(new Stack.Payment("s-" + i, "c-snap-" + r.nextInt(15), "m-" + r.nextInt(5), 1.0 + r.nextInt(500),
          countries[r.nextInt(4)], start + i * 1000L));
    }
    clock = start + 300 * 1000L;
    produce(batch);
    tick();
    // the offline rows are committed on the next checkpoints once the watermark passed them
    FeatureSetContract activity = Stack.REGISTRY.get("customer_activity");
    StringBuilder spine = new StringBuilder("customer_id,ts\n");
    List<String[]> spineRows = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String c = "c-snap-" + r.nextInt(16); // c-snap-15 has no events
      long t = start + r.nextInt(320_000);
      spineRows.add(new String[] {c, Long.toString(t)});
      spine.append(c).append(',').append(Instant.ofEpochMilli(t)).append('\n');
    }
    Path spineFile = home.resolve("e2e-spine.csv");
    Files.writeString(spineFile, spine);
    try (TesseraOffline offline = TesseraOffline.open(stack.config(), null)) {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
        TrainingSnapshot s = offline.trainingSnapshot(spineFile.toString(), "ts", List.of("customer_activity:last_country",
            "customer_activity:txn_count_1h"), home.resolve("snap-" + System.nanoTime() + ".parquet").toString());
        List<String> countriesOut = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        try (RootAllocator a = new RootAllocator(); ArrowReader reader = s.openArrow(a, 1000)) {
          VectorSchemaRoot root = reader.getVectorSchemaRoot();
          while (reader.loadNextBatch()) {
            VarCharVector country = (VarCharVector) root.getVector("customer_activity__last_country");
            var count = (org.apache.arrow.vector.BigIntVector) root.getVector("customer_activity__txn_count_1h");
            for (int i = 0; i < root.getRowCount(); i++) {
              countriesOut.add(country.isNull(i) ? null : new String(country.get(i), StandardCharsets.UTF_8));
              counts.add(count.isNull(i) ? null : count.get(i));
            }
          }
        }
        assertThat(countriesOut).hasSize(spineRows.size());
        for (int i = 0; i < spineRows.size(); i++) {
          String c = spineRows.get(i)[0];
          long t = Long.parseLong(spineRows.get(i)[1]);
          // brute force from the events themselves: the last payment at or before t, and the payments in (t - 1h, t]
          Stack.Payment last = null;
          long n = 0;
          for (Stack.Payment p : batch) {
            if (p.customer().equals(c) && p.eventTime() <= t) {
              if (last == null || p.eventTime() >= last.eventTime()) {
                last = p;
              }
              n++;
            }
          }
          assertThat(countriesOut.get(i)).as("last_country of %s at %s", c, t).isEqualTo(last == null ? null : last.country());
          assertThat(counts.get(i)).as("txn_count_1h of %s at %s", c, t).isEqualTo(last == null ? null : n);
        }
      });
    }
  }

  @Test
  @Order(4)
  void auditFindsNoSkewOnceTheStreamQuiesces() throws Exception {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      Audit.Report report = Audit.run(stack.config(), Stack.REGISTRY.get("customer_activity"), client, 500, 1);
      assertThat(report.sampled()).isGreaterThanOrEqualTo(30);
      assertThat(report.problems()).as(report.findings().stream().filter(f -> !f.verdict().equals("match")).toList().toString()).isZero();
      assertThat(report.counts().getOrDefault("match", 0)).isGreaterThanOrEqualTo(30);
      assertThat(report.nothingToCompare()).isNull();
      assertThat(report.matched()).isEqualTo(report.compared());
      assertThat(report.fromEventTime()).isNotNull().isLessThanOrEqualTo(report.toEventTime());
    });
  }

  @Test
  @Order(5)
  void stopAndRestartLoseNothing() throws Exception {
    long start = clock + 1000;
    List<Stack.Payment> before = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      before.add(new Stack.Payment("r-" + i, "c-restart-" + (i % 10), "m-1", 2.0, "FR", start + i * 100L));
    }
    clock = start + 100 * 100L;
    produce(before);
    // stop at once: some of these are not yet processed, committed or checkpointed
    stack.close();
    stack = Stack.start(home, port, Map.of());
    assertThat(stack.resumedFrom()).as("resumes from the savepoint taken at stop").isNotNull();
    List<Stack.Payment> after = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      after.add(new Stack.Payment("r2-" + i, "c-restart-" + i, "m-1", 2.0, "FR", clock + 1000 + i));
    }
    clock += 2000;
    produce(after);
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      for (int k = 0; k < 10; k++) {
        assertThat(count("c-restart-" + k)).as("c-restart-%d: 10 before the restart, 1 after", k).isEqualTo(11);
      }
    });
    // and the earlier keys are still served as before
    assertThat(count("c-probe")).isEqualTo(1);
  }
}
