package dev.tessera.e2e.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.e2e.StreamStack;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.compatibility.Bump;
import dev.tessera.contracts.compatibility.CheckReport;
import dev.tessera.contracts.compatibility.ContractCheck;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.ingest.backfill.Backfill;
import dev.tessera.ingest.backfill.BackfillResult;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.EventTables;
import dev.tessera.offline.table.FeatureTables;
import dev.tessera.testkit.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.Schema;
import org.apache.flink.core.execution.JobClient;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A MINOR contract change rolled out on the real broker, Flink MiniCluster, SQLite catalog and
 * packaged online service, as a data-contracts group ships one:
 *
 * <ol>
 *   <li>1.0.0 runs with events; its stream stops with a savepoint;
 *   <li>1.1.0 adds two features (a 10-minute count and an all-history first country, at the end of
 *       the list or inserted in the middle) and removes the deprecated {@code amount_avg_7d};
 *       {@code contract check} passes it as MINOR;
 *   <li>a 1.1.0 service replaces the 1.0.0 one (blue/green); rows written by 1.0.0 read under
 *       1.1.0 with the new features missing, never a number;
 *   <li>the stream resumes under 1.1.0 from the savepoint (the rollout line says what changed),
 *       more events arrive, it stops again, a backfill rebuilds the rows and the state from the
 *       events archive, the stream resumes from the backfill's savepoint, more events arrive;
 *   <li>the offline table, a training snapshot and the online values then equal a brute-force
 *       reference over all events (those before the change included); the archive holds every
 *       event exactly once across the three starts; and no lookup during the whole run failed.
 * </ol>
 */
class ContractRolloutIT {
  static final String TOPIC = "payments.transactions";
  static final String API_KEY = "rollout-key";
  static final int KEYS = 12;

  @TempDir Path home;

  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> missingSeen = new ConcurrentHashMap<>();
  private StreamStack stack;
  private long produced;

  @ParameterizedTest(name = "features added at the {0}")
  @ValueSource(strings = {"end", "middle"})
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void aMinorChangeRollsOutWithoutAFailedLookup(String where) throws Exception {
    Path v1 = StreamStack.contracts(home, "v1", text -> text.replace("    aggregate: {function: avg, field: amount, window: 7d}",
        "    aggregate: {function: avg, field: amount, window: 7d}\n    deprecated: {since: 1.0.0, replacement: amount_sum_24h}"));
    Path v2 = StreamStack.contracts(home, "v2", text -> v110(text, where));
    CheckReport check = new ContractCheck().run(v1, v2);
    assertThat(check.passed()).as(check.text()).isTrue();
    assertThat(check.entries().get(0).required()).isEqualTo(Bump.MINOR);
    FeatureSetContract c1 = ContractRegistry.fromDirectory(v1).get("customer_activity");
    FeatureSetContract c2 = ContractRegistry.fromDirectory(v2).get("customer_activity");

    try (EmbeddedKafka kafka = new EmbeddedKafka(); StreamStack stack = new StreamStack(home, kafka, TOPIC, KEYS, API_KEY)) {
      this.stack = stack;
      kafka.createTopic(TOPIC, 2);
      TesseraConfig config1 = stack.config(v1);
      TesseraConfig config2 = stack.config(v2);
      long t0 = System.currentTimeMillis() - Duration.ofHours(8).toMillis();
      Random random = new Random(where.hashCode());

      // 1.0.0 with events
      produce(kafka, c1, random, t0, 400);
      JobClient job = stack.start(config1, c1, null, null, null);
      stack.awaitArchived(config1, produced);
      Process blue = stack.service(v1, "blue");
      Thread lookups = lookups();
      Path savepoint1 = stack.stop(job);

      // 1.1.0: a new service next to the old one, then the switch
      Process green = stack.service(v2, "green");
      JsonNode before = stack.lookup(stack.serving.get(), "c-1");
      assertThat(before.at("/feature_sets/customer_activity/row_version").asText()).isEqualTo("1.0.0");
      assertThat(before.at("/feature_sets/customer_activity/missing/txn_count_10m").asText()).isEqualTo("NOT_IN_ROW_VERSION");
      assertThat(before.at("/feature_sets/customer_activity/values/txn_count_10m").isNull()).isTrue();
      assertThat(stack.get(stack.serving.get(), "/v1/feature-sets/customer_activity").at("/version").asText()).as("the catalog shows the version served")
          .isEqualTo("1.1.0");
      blue.destroy();
      blue.waitFor();

      // the stream resumes under 1.1.0 from the 1.0.0 savepoint
      List<String> rollout = new ArrayList<>();
      job = stack.start(config2, c2, savepoint1, null, rollout);
      assertThat(rollout.get(0)).contains("customer_activity 1.0.0 -> 1.1.0: restored from " + savepoint1)
          .contains("2 features added (txn_count_10m, first_country").contains("1 removed (amount_avg_7d, deprecated)");
      produce(kafka, c2, random, t0 + Duration.ofHours(3).toMillis(), 200); // after the first batch: nothing is late
      stack.awaitArchived(config2, produced);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(stack.lookup(stack.serving.get(), "c-2")
          .at("/feature_sets/customer_activity/missing/first_country").asText()).isEqualTo("BACKFILL_PENDING"));
      Path savepoint2 = stack.stop(job);

      // the backfill: offline rows, window state and online values from the events archive
      String bootstrap = home.resolve("backfill.state").toUri().toString();
      BackfillResult backfill = Backfill.run(config2, new Backfill.Request(c2, null, null, bootstrap, true), System.out::println);
      stack.cut = backfill.cut();
      assertThat(backfill.archived()).isEqualTo(produced);
      assertThat(backfill.accepted()).isEqualTo(produced);
      assertThat(backfill.bootstrap()).isEqualTo(bootstrap);
      assertThat(backfill.published()).isEqualTo(KEYS);

      job = stack.start(config2, c2, savepoint2, bootstrap, rollout);
      produce(kafka, c2, random, t0 + Duration.ofHours(5).toMillis(), 200);
      // a far later event moves the watermark so every row of the events before is final
      long tick = t0 + Duration.ofDays(3).toMillis();
      produceOne(kafka, c2.source().schema(), "c-tick", tick, 1.0, "ZZ");
      stack.awaitArchived(config2, produced);

      try (StreamStack.Opened opened = new StreamStack.Opened(Catalogs.open(config2))) {
        Catalog catalog = opened.catalog();
        Table table = new FeatureTables(catalog, config2.get(OfflineOptions.NAMESPACE)).load(c2);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
          table.refresh();
          stack.assertOfflineRowsMatchTheReference(c2, table);
        });
        assertArchiveExactlyOnce(catalog, config2);
      }
      stack.assertSnapshotMatchesTheReference(config2, v2, c2, t0, random);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> stack.assertOnlineMatchesTheReference(c2));
      stack.stop(job);
      stopLookups(lookups);
      green.destroy();
      green.waitFor();
    }
    assertThat(failures).as("every lookup during the whole run answered 200 and never a number for a missing feature").isEmpty();
    assertThat(missingSeen).as("the new features were reported missing, with a reason, before the backfill")
        .containsKeys("txn_count_10m:NOT_IN_ROW_VERSION", "first_country:NOT_IN_ROW_VERSION", "first_country:BACKFILL_PENDING");
  }

  /** 1.1.0: txn_count_10m and first_country added (at the end or in the middle), amount_avg_7d removed. */
  static String v110(String text, String where) {
    String added = """
          - name: txn_count_10m
            type: long
            description: Transactions in the last 10 minutes.
            aggregate: {function: count, window: 10m}
          - name: first_country
            type: string
            description: Country of the first transaction ever.
            aggregate: {function: first, field: country}
        """;
    String out = text.replace("version: 1.0.0", "version: 1.1.0");
    out = out.substring(0, out.indexOf("  - name: amount_avg_7d")) + out.substring(out.indexOf("  - name: amount_max_24h"));
    return where.equals("middle") ? out.replace("  - name: amount_max_24h", added + "  - name: amount_max_24h")
        : out.replace("quality:", added + "quality:");
  }

  // ---- events ------------------------------------------------------------------------------------

  private void produce(EmbeddedKafka kafka, FeatureSetContract c, Random r, long from, int n) throws Exception {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String customer = "c-" + r.nextInt(KEYS);
      long t = from + i * 20_000L + r.nextInt(5_000); // in order per partition, within maxOutOfOrderness: nothing is late
      double amount = Math.round(r.nextDouble() * 50_000) / 100.0;
      String country = new String[] {"DE", "FR", "NL", "US"}[r.nextInt(4)];
      records.add(stack.record(c.source().schema(), customer, t, amount, country, produced + i));
    }
    kafka.producer().send(records);
    produced += n;
  }

  private void produceOne(EmbeddedKafka kafka, Schema schema, String customer, long t, double amount, String country) throws Exception {
    kafka.producer().send(List.of(stack.record(schema, customer, t, amount, country, produced)));
    produced++;
  }

  // ---- checks --------------------------------------------------------------------------------------

  private void assertArchiveExactlyOnce(Catalog catalog, TesseraConfig config) throws IOException {
    Table archive = new EventTables(catalog, config.get(OfflineOptions.NAMESPACE)).load(TOPIC);
    Set<String> seen = new HashSet<>();
    try (CloseableIterable<Record> all = IcebergGenerics.read(archive).build()) {
      for (Record r : all) {
        String at = r.getField(EventTables.SOURCE) + "/" + r.getField(EventTables.PARTITION) + "/" + r.getField(EventTables.OFFSET);
        assertThat(seen.add(at)).as("archived once: %s", at).isTrue();
      }
    }
    assertThat(seen).hasSize((int) produced);
  }

  // ---- services and lookups ---------------------------------------------------------------------------

  private final AtomicBoolean looking = new AtomicBoolean(true);

  /** Looks up every key in turn, for the whole run, against the service being served. */
  private Thread lookups() {
    Thread t = new Thread(() -> {
      int i = 0;
      while (looking.get()) {
        String key = "c-" + (i++ % KEYS);
        try {
          JsonNode fs = stack.lookup(stack.serving.get(), key).at("/feature_sets/customer_activity");
          JsonNode missing = fs.path("missing");
          missing.fieldNames().forEachRemaining(f -> {
            missingSeen.merge(f + ":" + missing.get(f).asText(), 1, Integer::sum);
            if (!fs.get("values").get(f).isNull()) {
              failures.add(key + ": missing feature " + f + " has a value: " + fs);
            }
          });
        } catch (Exception e) {
          failures.add(key + ": " + e.getMessage());
        }
        try {
          Thread.sleep(15);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "rollout-lookups");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void stopLookups(Thread t) throws InterruptedException {
    looking.set(false);
    t.join(10_000);
  }
}
