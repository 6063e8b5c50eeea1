package dev.tessera.e2e.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tessera.bench.IngestKills;
import dev.tessera.cli.audit.Audit;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.rows.RowValues;
import dev.tessera.sdk.FeatureVector;
import dev.tessera.sdk.TesseraClient;
import dev.tessera.testkit.ChangelogTopic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.containers.GenericContainer;

/**
 * The pipeline across a network of containers (issue 22): Kafka as 3 KRaft brokers (topics at
 * replication factor 3, min.insync.replicas 2), S3 (s3proxy) as the Iceberg warehouse, and
 * online-serving, each from the project's own image; {@code tessera ingest} (the real CLI, a Flink
 * MiniCluster) on the host. In order, on one stack:
 * <ol>
 *   <li>a broker is cut off the network during ingest: online keeps serving, ingest keeps
 *       checkpointing;
 *   <li>a model service from its image scores with the features online-serving serves;
 *   <li>the S3 container is killed and started again while checkpoints commit;
 *   <li>the ingest JVM is killed (-9) and resumed bounded: Iceberg holds exactly the reference rows
 *       (0 lost, 0 duplicated, the same check as the fault suite's), the changelog's last row per key
 *       equals Iceberg's, online-serving serves exactly those, the DLQ holds the bad events with
 *       their reasons, the audit finds no skew and a snapshot has values: the in-JVM end-to-end
 *       test's results;
 *   <li>online-serving is stopped (SIGSTOP) while events are ingested: its readiness fails, and
 *       after SIGCONT it is ready again and never serves a value the pipeline did not publish for
 *       that key;
 *   <li>online-serving is killed and a new container from the same image on a new volume rebuilds
 *       its store from the changelog and passes readiness with every key's latest value.
 * </ol>
 */
@Timeout(900)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineContainerIT {
  static final FeatureSetContract C = ContractRegistry.fromDirectory(ContainerStack.CONTRACTS).get("customer_activity");
  static final Path CONTRACT = ContainerStack.CONTRACTS.resolve("customer_activity.yaml");

  static ContainerStack stack;
  static Path home;
  static Map<String, String> config;
  static TesseraClient client;
  static Process ingest;
  static final Random random = new Random(22);
  static final Map<String, List<long[]>> byKey = new HashMap<>();
  static IngestKills.Events events;
  static final long t0 = System.currentTimeMillis() - Duration.ofDays(1).toMillis();
  static long clock = t0; // the stream's event time: only moves forward

  @BeforeAll
  static void start() throws Exception {
    home = Files.createTempDirectory("tessera-containers");
    stack = new ContainerStack();
    stack.start();
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(C.source().topic(), 2, (short) 3))).all().get(60, TimeUnit.SECONDS);
    }
    config = new HashMap<>(stack.config(home));
    config.put("tessera.ingest.checkpoint-interval", "1s");
    // the default idleness (30 s), not a test's usual 2 s: after each failover of this test (S3 killed, ingest killed) a
    // partition's reader can take longer than 2 s to deliver again under load; counted idle meanwhile, its events arrive
    // behind windows the other partition's watermark already finalized and go to the DLQ as late (seen once in CI:
    // rows then differ from the uninterrupted reference), which is what idleness means (docs/ingest.md), not a fault
    config.put("tessera.ingest.idle-timeout", "30s");
    config.put("tessera.ingest.parallelism", "2");
    config.put("tessera.ingest.start-from", "earliest");
    ContainerStack.writeConfig(home, config);
    events = new IngestKills.Events(C, random, 2, byKey);
  }

  @AfterAll
  static void stop() throws Exception {
    if (ingest != null && ingest.isAlive()) {
      ingest.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    if (client != null) {
      client.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  static Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
    return Admin.create(p);
  }

  /** The next {@code n} events of the stream (50 ms apart, 2,000 customers), sent with acks=all. */
  static void send(int n) throws Exception {
    send(n, 50);
  }

  /** The next {@code n} events, {@code spacingMillis} apart in event time. */
  static void send(int n, long spacingMillis) throws Exception {
    List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clock += spacingMillis;
      batch.add(events.event(random.nextInt(2000), clock, true));
    }
    sendRaw(batch);
  }

  /** Sends with acks=all and idempotence; the offsets written, in order. */
  static List<Long> sendRaw(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks = new ArrayList<>();
      for (var r : records) {
        acks.add(producer.send(r));
      }
      List<Long> offsets = new ArrayList<>();
      for (var a : acks) {
        offsets.add(a.get(2, TimeUnit.MINUTES).offset());
      }
      return offsets;
    }
  }

  @Test
  @Order(1)
  void aBrokerCutOffTheNetworkDuringIngest() throws Exception {
    send(6_000);
    long started = System.currentTimeMillis();
    ingest = IngestKills.ingest(home, CONTRACT, null, false);
    IngestKills.awaitCheckpoint(home, started, ingest);
    stack.startOnline(Duration.ofSeconds(120));
    client = TesseraClient.builder().baseUrl(stack.onlineUrl()).apiKey(ContainerStack.API_KEY).timeout(Duration.ofSeconds(5)).build();
    String some = byKey.keySet().iterator().next(); // a customer with events (not every one of 2,000 has some yet)
    try {
      await().atMost(Duration.ofSeconds(90)).until(() -> client.get(C.name(), Map.of("customer_id", some)).ok());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(some + " is not served: " + client.get(C.name(), Map.of("customer_id", some)) + "; changelog rows: "
          + ChangelogTopic.read(stack.bootstrap(), C).size() + "; online log:\n" + ContainerStack.tail(stack.online().getLogs(), 40)
          + "\ningest log:\n" + ContainerStack.tail(Files.readString(home.resolve("ingest.log")), 40), e);
    }

    GenericContainer<?> broker2 = stack.broker(2);
    stack.disconnect(broker2);
    long cut = System.currentTimeMillis();
    try {
      Thread producer = new Thread(() -> {
        try {
          send(6_000);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      producer.start();
      // online keeps serving while the broker is away: every lookup answers, with a value
      int lookups = 0;
      List<String> failed = new ArrayList<>();
      while (System.currentTimeMillis() - cut < 15_000) {
        String key = "c-" + random.nextInt(2000);
        lookups++;
        try {
          client.get(C.name(), Map.of("customer_id", key));
        } catch (RuntimeException e) {
          failed.add(key + ": " + e.getMessage());
        }
        Thread.sleep(20);
      }
      producer.join(TimeUnit.MINUTES.toMillis(2));
      // the cut is real: the controller quorum fenced kafka-2 (no heartbeat), its partitions moved to the others
      try (Admin admin = admin()) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions() // a request that went to the cut broker times out
            .until(() -> admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == 2);
      }
      assertThat(failed).as("lookups that failed of %d while kafka-2 was cut off", lookups).isEmpty();
      // and ingest went on: a checkpoint completed after the events sent during the cut
      IngestKills.awaitCheckpoint(home, System.currentTimeMillis(), ingest);
      System.out.printf("kafka-2 cut off for %d s: %d lookups answered, ingest checkpointed%n", (System.currentTimeMillis() - cut) / 1000, lookups);
    } finally {
      stack.reconnect(broker2, 12, "kafka-2");
    }
    stack.awaitBrokers(3, Duration.ofSeconds(120));
  }

  @Test
  @Order(3)
  void theS3ContainerRestartsWhileCheckpointsCommit() throws Exception {
    // S3 killed; then 1,500 events 500 ms apart: 12.5 minutes of event time, past windows' allowed lateness, so the
    // next checkpoints must upload data files and commit; S3 stays away until the job's log shows S3 requests that
    // failed (at most 90 s), and comes back
    Path log = home.resolve("ingest.log");
    java.util.regex.Pattern failure = java.util.regex.Pattern.compile("Unable to execute HTTP request|Connection refused|SdkClientException|No route to host");
    long logBefore = Files.size(log);
    stack.signal(stack.s3(), "KILL");
    long down = System.currentTimeMillis();
    send(1_500, 500);
    boolean felt = false;
    while (!felt && System.currentTimeMillis() - down < 90_000) {
      Thread.sleep(500);
      try (var in = Files.newInputStream(log)) {
        in.skipNBytes(logBefore);
        felt = failure.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8)).find();
      }
    }
    stack.startAgain(stack.s3());
    ContainerStack.awaitHttp(stack.s3Endpoint() + "/", Duration.ofSeconds(60));
    long back = System.currentTimeMillis();
    assertThat(felt).as("S3 requests of the ingest job failed while S3 was down (%d ms)", back - down).isTrue();
    IngestKills.awaitCheckpoint(home, back, ingest);
    System.out.printf("S3 down for %d ms: the ingest job saw S3 requests fail, and checkpointed after S3 came back%n", back - down);
  }

  @Test
  @Order(4)
  void killedAndResumedTheResultsEqualTheReference() throws Exception {
    // bad events: one that is not Avro, one that breaks a quality rule
    List<ProducerRecord<byte[], byte[]>> bad = new ArrayList<>();
    bad.add(new ProducerRecord<>(C.source().topic(), 0, null, "not avro at all".getBytes(StandardCharsets.UTF_8)));
    long badOffset = sendRaw(bad).get(0);
    send(2_000);
    new ProcessBuilder("kill", "-9", Long.toString(ingest.pid())).start().waitFor();
    ingest.waitFor(30, TimeUnit.SECONDS);
    Process last = IngestKills.ingest(home, CONTRACT, IngestKills.latestCheckpoint(home).orElseThrow(), true);
    assertThat(last.waitFor(5, TimeUnit.MINUTES)).as("the resumed bounded run ends").isTrue();
    assertThat(last.exitValue()).as(Files.readString(home.resolve("ingest.log"))).isZero();

    TesseraConfig tessera = TesseraConfig.defaults(home, config);
    IngestKills.Result r = IngestKills.compare(tessera, C, byKey, stack.bootstrap(), List.of());
    System.out.println(r);
    if (r.lost() + r.duplicated() > 0) { // what differs, and what the DLQ holds, before the assertions fail
      System.out.println(IngestKills.differences(tessera, C, byKey));
      dev.tessera.e2e.Stack.readHeaders(stack.bootstrap(), C.source().topic() + ".tessera-dlq").stream()
          .collect(java.util.stream.Collectors.groupingBy(h -> String.valueOf(h.get("tessera.reason")), java.util.stream.Collectors.counting()))
          .forEach((reason, n) -> System.out.println("DLQ " + reason + ": " + n));
    }
    assertThat(r.rows()).isEqualTo(r.expectedRows()).isPositive();
    assertThat(r.lost()).as("rows lost").isZero();
    assertThat(r.duplicated()).as("rows duplicated").isZero();
    assertThat(r.changelogMismatches()).isZero();

    // online serves exactly the changelog's last row of every key
    Map<List<Object>, RowValues> latest = ChangelogTopic.latest(stack.bootstrap(), C);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(servedDifferently(latest)).isEmpty());

    // the DLQ holds the bad event with its reason (its sink is at-least-once: after the kill -9 it may hold it twice,
    // with the same source position, by which consumers tell them apart; ARCHITECTURE.md)
    List<Map<String, String>> dlq = dev.tessera.e2e.Stack.readHeaders(stack.bootstrap(), C.source().topic() + ".tessera-dlq");
    List<String> rejected = dlq.stream().filter(h -> C.name().equals(h.get("tessera.contract")))
        .map(h -> h.get("tessera.source.partition") + "/" + h.get("tessera.source.offset") + " " + h.get("tessera.reason")).distinct().toList();
    assertThat(rejected).contains("0/" + badOffset + " decode_error");
    // seen once in four runs after a 42 s S3 outage: events rejected as late by an attempt that then failed, all of
    // them in Iceberg in the end (0 lost above); printed here until that is explained (a future issue, see the note)
    rejected.stream().filter(x -> !x.equals("0/" + badOffset + " decode_error")).findAny()
        .ifPresent(x -> System.out.println("DLQ entries besides the bad event (" + (rejected.size() - 1) + "), e.g. " + x));

    Audit.Report report = Audit.run(tessera, C, client, 300, 1);
    assertThat(report.compared()).isGreaterThanOrEqualTo(100);
    assertThat(report.problems()).as(report.findings().stream().filter(f -> !f.verdict().equals("match")).toList().toString()).isZero();

    StringBuilder spine = new StringBuilder("customer_id,ts\n");
    for (int i = 0; i < 100; i++) {
      spine.append("c-").append(random.nextInt(2000)).append(',').append(t0 + random.nextLong(clock - t0)).append('\n');
    }
    Files.writeString(home.resolve("spine.csv"), spine);
    var snap = dev.tessera.e2e.production.CliProcess.run(home, Duration.ofMinutes(3), "snapshot", "--spine", home.resolve("spine.csv").toString(),
        "--time-column", "ts", "--features", "customer_activity:*", "--out", home.resolve("train.csv").toString());
    assertThat(snap.exit()).as(snap.output()).isZero();
    List<String> rows = Files.readAllLines(home.resolve("train.csv"));
    assertThat(rows).hasSize(101);
    assertThat(rows.stream().skip(1).filter(l -> !l.endsWith(",,,,,"))).as("rows with values").hasSizeGreaterThan(50);
  }

  @Test
  @Order(5)
  void onlineServingStoppedAndContinuedNeverServesAWrongValue() throws Exception {
    Map<String, Set<String>> published = published();
    GenericContainer<?> online = stack.online();
    stack.signal(online, "STOP");
    try {
      assertThat(stack.readiness(Duration.ofSeconds(2))).as("readiness while the process is stopped").isEqualTo(-1);
      send(3_000);
      Process more = IngestKills.ingest(home, CONTRACT, IngestKills.latestCheckpoint(home).orElseThrow(), true);
      assertThat(more.waitFor(5, TimeUnit.MINUTES)).isTrue();
      assertThat(more.exitValue()).as(Files.readString(home.resolve("ingest.log"))).isZero();
    } finally {
      stack.signal(online, "CONT");
    }
    published = published();
    Map<List<Object>, RowValues> latest = ChangelogTopic.latest(stack.bootstrap(), C);
    stack.awaitReady(Duration.ofSeconds(60));
    // while it catches up: every value served is one the pipeline published for that key
    long deadline = System.currentTimeMillis() + 60_000;
    int checked = 0;
    List<String> wrong = new ArrayList<>();
    while (!servedDifferently(latest).isEmpty() && System.currentTimeMillis() < deadline) {
      for (int i = 0; i < 200; i++) {
        String key = "c-" + random.nextInt(2000);
        FeatureVector v = client.get(C.name(), Map.of("customer_id", key));
        if (v.ok() && !published.getOrDefault(key, Set.of()).contains(render(v))) {
          wrong.add(key + ": " + render(v));
        }
        checked++;
      }
    }
    assertThat(wrong).as("values never published for their key, of %d lookups", checked).isEmpty();
    assertThat(servedDifferently(latest)).as("keys whose latest value is not served 60 s after SIGCONT").isEmpty();
  }

  @Test
  @Order(6)
  void aKilledOnlineServingIsReplacedOnANewVolumeAndRebuildsFromTheChangelog() throws Exception {
    Map<List<Object>, RowValues> latest = ChangelogTopic.latest(stack.bootstrap(), C);
    stack.remove(stack.online());
    long started = System.currentTimeMillis();
    stack.startOnline(Duration.ofSeconds(180));
    System.out.println("a new online-serving container rebuilt " + latest.size() + " keys and was ready in "
        + (System.currentTimeMillis() - started) + " ms");
    assertThat(servedDifferently(latest)).isEmpty();
  }

  @Test
  @Order(2)
  void aModelServiceFromItsImageScoresWithFeaturesFromOnlineServing() throws Exception {
    // the example model, with customer_profile (not ingested here) defaulted instead of rejected
    Path models = Files.createDirectories(home.resolve("models"));
    Path example = ContainerStack.ROOT.resolve("model-serving/examples");
    Files.copy(example.resolve("fraud-scorer.onnx"), models.resolve("fraud-scorer.onnx"));
    Files.writeString(models.resolve("fraud-scorer.yaml"), Files.readString(example.resolve("fraud-scorer.yaml"))
        .replace("{feature: customer_profile:credit_limit, missing: reject}", "customer_profile:credit_limit"));
    String url = stack.startModel(models, "fraud-scorer.yaml", Duration.ofSeconds(120));
    // while ingest runs, a key's served row is its newest event's: its counts are not zero
    String key = byKey.entrySet().stream().max(java.util.Comparator.comparingInt(e -> e.getValue().size())).orElseThrow().getKey();
    FeatureVector online = client.get(C.name(), Map.of("customer_id", key));
    assertThat(online.getLong("txn_count_1h")).as("%s served", key).isPositive();
    var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/v1/models/fraud-scorer/predict"))
        .header("X-API-Key", ContainerStack.API_KEY).header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"entities\": [{\"customer_id\": \"" + key + "\"}], \"return_features\": true}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    var prediction = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("predictions").path(0);
    assertThat(prediction.path("outputs").isEmpty()).as(response.body()).isFalse();
    long after = client.get(C.name(), Map.of("customer_id", key)).getLong("txn_count_1h");
    assertThat(prediction.path("features").path("customer_activity__txn_count_1h").asDouble())
        .as("the model saw online-serving's value").isIn(online.getLong("txn_count_1h").doubleValue(), (double) after);
    System.out.println("the model service container scored " + key + ": " + prediction);
  }

  /** Keys whose served value differs from the changelog's last row (features and event time), as "key: served vs expected". */
  static List<String> servedDifferently(Map<List<Object>, RowValues> latest) {
    List<String> out = new ArrayList<>();
    latest.forEach((k, row) -> {
      String key = String.valueOf(k.get(0));
      FeatureVector v = client.get(C.name(), Map.of("customer_id", key));
      String expected = render(row);
      String served = v.ok() ? render(v) : v.status().toString();
      if (!expected.equals(served)) {
        out.add(key + ": " + served + " vs " + expected);
      }
    });
    return out;
  }

  /** Every row the changelog has carried, per key, rendered as {@link #render(RowValues)}. */
  static Map<String, Set<String>> published() {
    Map<String, Set<String>> out = new HashMap<>();
    for (ChangelogTopic.Entry e : ChangelogTopic.read(stack.bootstrap(), C)) {
      if (e.row() != null) {
        out.computeIfAbsent(String.valueOf(e.key().get(0)), k -> new HashSet<>()).add(render(e.row()));
      }
    }
    return out;
  }

  static String render(RowValues row) {
    StringBuilder b = new StringBuilder().append(row.eventTime());
    for (Object v : row.values()) {
      b.append('|').append(v);
    }
    return b.toString();
  }

  static String render(FeatureVector v) {
    StringBuilder b = new StringBuilder().append(v.eventTime() == null ? null : v.eventTime().toEpochMilli());
    for (var f : C.features()) {
      b.append('|').append(v.values().get(f.name()));
    }
    return b.toString();
  }
}
