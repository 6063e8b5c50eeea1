package dev.tessera.e2e.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.cli.Main;
import dev.tessera.cli.contract.RetireCommand;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.compatibility.CheckReport;
import dev.tessera.contracts.compatibility.ContractCheck;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.e2e.StreamStack;
import dev.tessera.ingest.backfill.Backfill;
import dev.tessera.ingest.backfill.BackfillResult;
import dev.tessera.kafka.Topics;
import dev.tessera.sdk.FeatureVector;
import dev.tessera.sdk.TesseraClient;
import dev.tessera.testkit.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A MAJOR change lived through by two consumers, on the real broker, Flink MiniCluster, SQLite
 * catalog, the shared Redis store and packaged services replaced blue/green at each contract PR:
 *
 * <ol>
 *   <li>1.0.0 runs; fraud-scoring and marketing-propensity (API keys mapped to them) read {@code
 *       customer_activity@1} all along;
 *   <li>PR: 2.0.0 (a feature removed, a window changed) beside {@code customer_activity@1.yaml};
 *       2.0.0 is backfilled from the events archive and served while 1.x keeps answering; both
 *       majors' online values equal a brute-force reference over every event;
 *   <li>PR: 1.x deprecated with a sunset and a replacement: its answers carry Deprecation, Sunset
 *       and Link, and the SDK warns once;
 *   <li>marketing-propensity moves to @2; {@code tessera contract retire customer_activity@1} is
 *       refused while fraud-scoring still reads @1, naming it;
 *   <li>fraud-scoring moves; once the quiet period passes, retire succeeds; with its file marked
 *       retired, @1 reads answer 410 naming @2, while @2 and the unpinned name keep answering;
 *   <li>no lookup answered 5xx during the whole run.
 * </ol>
 *
 * The CLI's clock runs two days ahead (past the sunset, which the services, on the real clock,
 * have not reached), and the quiet period is two days and eight seconds: reads within the last
 * eight real seconds count as recent.
 */
class MajorLifecycleIT {
  static final String TOPIC = "payments.transactions";
  static final String ADMIN = "admin-key";
  static final Map<String, String> KEYS = Map.of("fraud-scoring", "fraud-key", "marketing-propensity", "marketing-key");
  static final int ENTITIES = 10;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;

  private final Map<String, AtomicReference<String>> reading = new ConcurrentHashMap<>();
  private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final AtomicBoolean looking = new AtomicBoolean(true);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private StreamStack stack;
  private long produced;

  @AfterEach
  void realClock() {
    RetireCommand.clock = Clock.systemUTC();
  }

  @Test
  @Timeout(value = 7, unit = TimeUnit.MINUTES)
  void twoMajorsSideBySideThenTheOldOneRetires() throws Exception {
    LocalDate sunset = LocalDate.now(ZoneOffset.UTC).plusDays(1);
    Path a = StreamStack.contracts(home, "a", text -> text);
    Path b = StreamStack.contracts(home, "b", text -> v2(text));
    Files.writeString(b.resolve("customer_activity@1.yaml"), Files.readString(a.resolve("customer_activity.yaml")));
    Path c = StreamStack.contracts(home, "c", text -> v2(text));
    Files.writeString(c.resolve("customer_activity@1.yaml"), Files.readString(a.resolve("customer_activity.yaml"))
        .replace("version: 1.0.0", "version: 1.1.0\nstatus: deprecated\nsunset: " + sunset + "\nreplacement: customer_activity@2"));
    CheckReport ab = new ContractCheck().run(a, b);
    assertThat(ab.passed()).as(ab.text()).isTrue();
    assertThat(ab.entries()).extracting(e -> e.kind() + " " + e.headVersion())
        .as("the new major is a feature set major added beside the unchanged 1.x").containsExactlyInAnyOrder("ADDED 2.0.0", "UNCHANGED 1.0.0");
    CheckReport bc = new ContractCheck().run(b, c);
    assertThat(bc.passed()).as(bc.text()).isTrue();
    FeatureSetContract c1 = ContractRegistry.fromDirectory(a).get("customer_activity");
    FeatureSetContract c2 = ContractRegistry.fromDirectory(b).get("customer_activity@2");
    assertThat(c2.version()).hasToString("2.0.0");
    String prefix = "tessera-it-" + System.nanoTime() + ":";

    try (EmbeddedKafka kafka = new EmbeddedKafka(); StreamStack stack = new StreamStack(home, kafka, TOPIC, ENTITIES, ADMIN)) {
      this.stack = stack;
      kafka.createTopic(TOPIC, 2);
      Map<String, String> redis = new HashMap<>(Map.of("tessera.online.store", "redis", "tessera.online.redis.prefix", prefix,
          "tessera.online.materializer-group", prefix + "materializer",
          "tessera.online.api-keys", "*:" + ADMIN + ",fraud-scoring:fraud-key,marketing-propensity:marketing-key"));
      long t0 = System.currentTimeMillis() - Duration.ofHours(6).toMillis();
      Random random = new Random(7);

      // 1.0.0, read by both consumers, pinned
      produce(kafka, c1, random, t0, 300);
      TesseraConfig configA = patient(stack.config(a));
      JobClient v1 = stack.start(configA, c1, null, null, null);
      stack.awaitArchived(configA, produced);
      Process serviceA = stack.service(a, "a", redis);
      KEYS.keySet().forEach(consumer -> reading.put(consumer, new AtomicReference<>("customer_activity@1")));
      Thread traffic = traffic();
      await().atMost(Duration.ofSeconds(30)).until(() -> statuses.getOrDefault("fraud-scoring customer_activity@1 200", 0) > 10);

      // PR: 2.0.0 beside 1.x; 2.0.0 backfilled from the archive before it is served
      TesseraConfig configB = patient(stack.config(b));
      Path savepoint = stack.stop(v1);
      String bootstrap = home.resolve("v2.state").toUri().toString();
      BackfillResult backfill = Backfill.run(configB, new Backfill.Request(c2, null, null, bootstrap, true), System.out::println);
      assertThat(backfill.accepted()).isEqualTo(produced);
      v1 = stack.start(configB, ContractRegistry.fromDirectory(b).get("customer_activity@1"), savepoint, null, null, true);
      JobClient v2 = stack.start(configB, c2, null, bootstrap, null, false); // reads the topic from the start, skips what the backfill counted
      Process serviceB = stack.service(b, "b", redis);
      stop(serviceA);
      produce(kafka, c1, random, t0 + Duration.ofHours(2).toMillis(), 100);
      stack.awaitArchived(configB, produced);
      awaitRead(kafka, "tessera-ingest.customer_activity.v2"); // the new major's stream read every event (it archives nothing)
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        stack.assertOnlineMatchesTheReference(c2, "customer_activity@2");
        stack.assertOnlineMatchesTheReference(c2);
        stack.assertOnlineMatchesTheReference(c1, "customer_activity@1");
      });
      JsonNode catalog = stack.get(stack.serving.get(), "/v1/feature-sets");
      assertThat(catalog.at("/feature_sets").findValuesAsText("ref")).contains("customer_activity@1", "customer_activity@2");

      // PR: 1.x deprecated, sunset tomorrow, replaced by @2
      Process serviceC = stack.service(c, "c", redis);
      stop(serviceB);
      HttpResponse<String> deprecated = get("/v1/features/customer_activity@1?customer_id=c-1", "fraud-key");
      assertThat(deprecated.statusCode()).isEqualTo(200);
      assertThat(deprecated.headers().firstValue("Deprecation")).isPresent();
      assertThat(deprecated.headers().firstValue("Sunset")).isPresent();
      assertThat(deprecated.headers().firstValue("Link")).hasValueSatisfying(l -> assertThat(l).contains("customer_activity@2"));
      assertThat(JSON.readTree(deprecated.body()).at("/feature_sets/customer_activity@1/version").asText()).isEqualTo("1.1.0");
      try (TesseraClient client = TesseraClient.builder().baseUrl(stack.serving.get()).apiKey("marketing-key").build()) {
        FeatureVector fv = client.get("customer_activity@1", Map.of("customer_id", "c-2"));
        assertThat(fv.version()).isEqualTo("1.1.0");
        client.get("customer_activity@1", Map.of("customer_id", "c-3"));
        assertThat(client.deprecations()).containsExactly("customer_activity@1; sunset=" + sunset + "; replacement=customer_activity@2");
      }

      // marketing-propensity moves; retire is refused while fraud-scoring reads @1
      reading.get("marketing-propensity").set("customer_activity@2");
      RetireCommand.clock = Clock.offset(Clock.systemUTC(), Duration.ofDays(2));
      Path d = Files.createDirectories(home.resolve("contracts-d"));
      try (var files = Files.list(c)) {
        for (Path f : files.toList()) {
          Files.copy(f, d.resolve(f.getFileName()));
        }
      }
      Properties props = new Properties();
      props.putAll(stack.properties(d));
      props.putAll(redis);
      Path cliConfig = home.resolve("cli.properties");
      try (var w = Files.newBufferedWriter(cliConfig)) {
        props.store(w, null);
      }
      String quiet = (Duration.ofDays(2).toSeconds() + 8) + "s";
      Thread.sleep(12_000); // past the quiet period for marketing-propensity (the services add their reads to the store every 5 s)
      String[] retire = {"--home", home.toString(), "--config", cliConfig.toString(), "contract", "retire", "customer_activity@1",
          "--quiet-period", quiet};
      Result refused = cli(retire);
      assertThat(refused.exit()).as(refused.out()).isEqualTo(1);
      assertThat(refused.err()).contains("Cannot retire customer_activity@1: still read within the quiet period")
          .contains("fraud-scoring read it").doesNotContain("marketing-propensity read it").contains("they should move to customer_activity@2");

      // fraud-scoring moves; the quiet period passes; the @1 pipeline stops; retire
      reading.get("fraud-scoring").set("customer_activity@2");
      Thread.sleep(12_000);
      stack.stop(v1);
      Result retired = cli(retire);
      assertThat(retired.exit()).as(retired.err()).isZero();
      assertThat(retired.out()).contains("retire customer_activity@1: deleted " + ENTITIES + " online rows of tessera.online.customer_activity.v1")
          .contains("changelog topic tessera.online.customer_activity.v1 deleted").contains("kept");
      CheckReport cd = new ContractCheck(RetireCommand.clock).run(c, d);
      assertThat(cd.passed()).as("retired after the sunset: " + cd.text()).isTrue();
      assertThat(Topics.delete(kafka.bootstrapServers(), "tessera.online.customer_activity.v1")).as("gone already").isFalse();

      // the next deploy serves @2 only; @1 answers 410 naming @2
      Process serviceD = stack.service(d, "d", redis);
      stop(serviceC);
      HttpResponse<String> gone = get("/v1/features/customer_activity@1?customer_id=c-1", "fraud-key");
      assertThat(gone.statusCode()).isEqualTo(410);
      assertThat(gone.body()).contains("customer_activity@1 is retired: read customer_activity@2 instead");
      assertThat(get("/v1/features/customer_activity?customer_id=c-1", "fraud-key").statusCode()).isEqualTo(200);
      stack.assertOnlineMatchesTheReference(c2, "customer_activity@2");
      looking.set(false);
      traffic.join(10_000);
      stack.stop(v2);
      stop(serviceD);
    }
    System.out.println("lookups by consumer, major and status: " + new java.util.TreeMap<>(statuses));
    assertThat(failures).as("no lookup answered 5xx or failed").isEmpty();
    assertThat(statuses).containsKeys("fraud-scoring customer_activity@1 200", "fraud-scoring customer_activity@2 200",
        "marketing-propensity customer_activity@1 200", "marketing-propensity customer_activity@2 200");
    assertThat(statuses.keySet()).noneMatch(k -> k.endsWith(" 410") || k.endsWith(" 404") || k.endsWith(" 403"));
  }

  /** 2.0.0: amount_avg_7d removed, amount_sum_24h's window 48h. */
  static String v2(String text) {
    String out = text.replace("version: 1.0.0", "version: 2.0.0")
        .replace("aggregate: {function: sum, field: amount, window: 24h}", "aggregate: {function: sum, field: amount, window: 48h}");
    return out.substring(0, out.indexOf("  - name: amount_avg_7d")) + out.substring(out.indexOf("  - name: amount_max_24h"));
  }

  /**
   * The stack's settings with the production idle timeout (30 s) instead of the stack's 1 s: a fresh
   * job (v2 reading the topic from the start) on a loaded 2-core machine can take over a second to
   * fetch one partition while the other runs ahead; marked idle, that partition's events would then
   * come in behind the watermark and be dropped as late. This test checks majors, not idleness, and
   * every partition here has events.
   */
  private static TesseraConfig patient(TesseraConfig config) {
    java.util.Map<String, String> values = new HashMap<>(config.values());
    values.put("tessera.ingest.idle-timeout", "30s");
    return TesseraConfig.defaults(config.home(), values);
  }

  private void produce(EmbeddedKafka kafka, FeatureSetContract c, Random r, long from, int n) throws Exception {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String customer = "c-" + (i < ENTITIES ? i : r.nextInt(ENTITIES)); // every key has events
      long t = from + i * 20_000L + r.nextInt(5_000);
      double amount = Math.round(r.nextDouble() * 50_000) / 100.0;
      records.add(stack.record(c.source().schema(), customer, t, amount, new String[] {"DE", "FR", "NL"}[r.nextInt(3)], produced + i));
    }
    kafka.producer().send(records);
    produced += n;
  }

  /** Both consumers read what {@link #reading} says, in turn, for the whole run; every status counted, 5xx and errors kept. */
  private Thread traffic() {
    Thread t = new Thread(() -> {
      int i = 0;
      while (looking.get()) {
        for (var e : KEYS.entrySet()) {
          String ref = reading.get(e.getKey()).get();
          try {
            int status = get("/v1/features/" + ref + "?customer_id=c-" + (i % ENTITIES), e.getValue()).statusCode();
            statuses.merge(e.getKey() + " " + ref + " " + status, 1, Integer::sum);
            if (status >= 500) {
              failures.add(e.getKey() + " " + ref + ": HTTP " + status);
            }
          } catch (Exception ex) {
            failures.add(e.getKey() + " " + ref + ": " + ex);
          }
        }
        i++;
        try {
          Thread.sleep(20);
        } catch (InterruptedException ex) {
          return;
        }
      }
    }, "lifecycle-traffic");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Waits until {@code group} (a stream's source, committing on checkpoints) has read its topic to the end. */
  private static void awaitRead(EmbeddedKafka kafka, String group) throws Exception {
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        var request = new HashMap<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec>();
        for (int p = 0; p < 2; p++) {
          request.put(new org.apache.kafka.common.TopicPartition(TOPIC, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        var ends = admin.listOffsets(request).all().get();
        return ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
            && committed.get(e.getKey()).offset() >= e.getValue().offset());
      });
    }
  }

  private HttpResponse<String> get(String path, String key) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(stack.serving.get() + path)).header("X-API-Key", key)
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void stop(Process service) throws InterruptedException {
    service.destroy();
    service.waitFor(30, TimeUnit.SECONDS);
  }

  record Result(int exit, String out, String err) {}

  private static Result cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    System.out.println("tessera " + String.join(" ", args) + "\n" + out + err);
    return new Result(exit, out.toString(), err.toString());
  }
}
