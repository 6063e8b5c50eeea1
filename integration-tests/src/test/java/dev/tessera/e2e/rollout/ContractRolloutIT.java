package dev.tessera.e2e.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.online.launch.ServiceProcess;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.compatibility.Bump;
import dev.tessera.contracts.compatibility.CheckReport;
import dev.tessera.contracts.compatibility.ContractCheck;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.ingest.backfill.Backfill;
import dev.tessera.ingest.backfill.BackfillResult;
import dev.tessera.ingest.job.IngestJob;
import dev.tessera.ingest.job.IngestPipeline;
import dev.tessera.ingest.job.IngestEnvironment;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.snapshot.ProgressListener;
import dev.tessera.offline.snapshot.SnapshotRequest;
import dev.tessera.offline.snapshot.SnapshotService;
import dev.tessera.offline.table.EventTables;
import dev.tessera.offline.table.FeatureTables;
import dev.tessera.offline.table.IcebergValues;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.testkit.WindowReference;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
  static final Path EXAMPLES = Path.of("../contracts/examples").toAbsolutePath().normalize();
  static final String TOPIC = "payments.transactions";
  static final String API_KEY = "rollout-key";
  static final int KEYS = 12;
  static final ObjectMapper JSON = new ObjectMapper();

  static {
    System.setProperty("tessera.root", Path.of("..").toAbsolutePath().normalize().toString());
  }

  @TempDir Path home;

  private final List<WindowReference.Event> events = new ArrayList<>();
  private final Map<String, List<WindowReference.Event>> byKey = new ConcurrentHashMap<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> missingSeen = new ConcurrentHashMap<>();
  private final AtomicReference<String> serving = new AtomicReference<>();
  private long produced;
  private long replayCut;

  @ParameterizedTest(name = "features added at the {0}")
  @ValueSource(strings = {"end", "middle"})
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void aMinorChangeRollsOutWithoutAFailedLookup(String where) throws Exception {
    Path v1 = contracts("v1", text -> text.replace("    aggregate: {function: avg, field: amount, window: 7d}",
        "    aggregate: {function: avg, field: amount, window: 7d}\n    deprecated: {since: 1.0.0, replacement: amount_sum_24h}"));
    Path v2 = contracts("v2", text -> v110(text, where));
    CheckReport check = new ContractCheck().run(v1, v2);
    assertThat(check.passed()).as(check.text()).isTrue();
    assertThat(check.entries().get(0).required()).isEqualTo(Bump.MINOR);
    FeatureSetContract c1 = ContractRegistry.fromDirectory(v1).get("customer_activity");
    FeatureSetContract c2 = ContractRegistry.fromDirectory(v2).get("customer_activity");

    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      kafka.createTopic(TOPIC, 2);
      TesseraConfig config1 = config(kafka, v1);
      TesseraConfig config2 = config(kafka, v2);
      long t0 = System.currentTimeMillis() - Duration.ofHours(8).toMillis();
      Random random = new Random(where.hashCode());

      // 1.0.0 with events
      produce(kafka, c1, random, t0, 400);
      JobClient job = start(config1, c1, null, null, null);
      awaitArchived(config1, produced);
      Process blue = service(kafka, v1, "blue");
      Thread lookups = lookups();
      Path savepoint1 = stop(job);

      // 1.1.0: a new service next to the old one, then the switch
      Process green = service(kafka, v2, "green");
      JsonNode before = lookup(serving.get(), "c-1");
      assertThat(before.at("/feature_sets/customer_activity/row_version").asText()).isEqualTo("1.0.0");
      assertThat(before.at("/feature_sets/customer_activity/missing/txn_count_10m").asText()).isEqualTo("NOT_IN_ROW_VERSION");
      assertThat(before.at("/feature_sets/customer_activity/values/txn_count_10m").isNull()).isTrue();
      assertThat(get(serving.get(), "/v1/feature-sets/customer_activity").at("/version").asText()).as("the catalog shows the version served")
          .isEqualTo("1.1.0");
      blue.destroy();
      blue.waitFor();

      // the stream resumes under 1.1.0 from the 1.0.0 savepoint
      List<String> rollout = new ArrayList<>();
      job = start(config2, c2, savepoint1, null, rollout);
      assertThat(rollout.get(0)).contains("customer_activity 1.0.0 -> 1.1.0: restored from " + savepoint1)
          .contains("2 features added (txn_count_10m, first_country").contains("1 removed (amount_avg_7d, deprecated)");
      produce(kafka, c2, random, t0 + Duration.ofHours(3).toMillis(), 200); // after the first batch: nothing is late
      awaitArchived(config2, produced);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(lookup(serving.get(), "c-2")
          .at("/feature_sets/customer_activity/missing/first_country").asText()).isEqualTo("BACKFILL_PENDING"));
      Path savepoint2 = stop(job);

      // the backfill: offline rows, window state and online values from the events archive
      String bootstrap = home.resolve("backfill.state").toUri().toString();
      BackfillResult backfill = Backfill.run(config2, new Backfill.Request(c2, null, null, bootstrap, true), System.out::println);
      replayCut = backfill.cut();
      assertThat(backfill.archived()).isEqualTo(produced);
      assertThat(backfill.accepted()).isEqualTo(produced);
      assertThat(backfill.bootstrap()).isEqualTo(bootstrap);
      assertThat(backfill.published()).isEqualTo(KEYS);

      job = start(config2, c2, savepoint2, bootstrap, rollout);
      produce(kafka, c2, random, t0 + Duration.ofHours(5).toMillis(), 200);
      // a far later event moves the watermark so every row of the events before is final
      long tick = t0 + Duration.ofDays(3).toMillis();
      produceOne(kafka, c2.source().schema(), "c-tick", tick, 1.0, "ZZ");
      awaitArchived(config2, produced);

      try (Opened opened = new Opened(Catalogs.open(config2))) {
        Catalog catalog = opened.catalog();
        Table table = new FeatureTables(catalog, config2.get(OfflineOptions.NAMESPACE)).load(c2);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
          table.refresh();
          assertOfflineRowsMatchTheReference(c2, table, tick);
        });
        assertArchiveExactlyOnce(catalog, config2);
      }
      assertSnapshotMatchesTheReference(config2, v2, c2, t0, random);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertOnlineMatchesTheReference(c2));
      stop(job);
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

  // ---- the stream ------------------------------------------------------------------------------

  private JobClient start(TesseraConfig config, FeatureSetContract c, Path resume, String bootstrap, List<String> rollout) throws Exception {
    StreamExecutionEnvironment env = IngestEnvironment.environment(config, resume);
    // a failure fails the test with its cause instead of a restart loop
    env.configure(org.apache.flink.configuration.Configuration.fromMap(Map.of("restart-strategy.type", "none")));
    IngestPipeline pipeline = IngestJob.define(env, c, IngestEnvironment.settings(config, c, false).withBootstrap(bootstrap));
    if (resume != null) {
      pipeline.rollout().check();
    }
    if (rollout != null) {
      rollout.add(0, pipeline.rollout().describe(resume == null ? null : resume.toString()));
    }
    JobClient job = env.executeAsync("rollout " + c.id());
    await().atMost(Duration.ofSeconds(60)).until(() -> job.getJobStatus().get() == JobStatus.RUNNING);
    pipeline.recordRollout();
    running = job;
    return job;
  }

  private Path stop(JobClient job) throws Exception {
    String path = job.stopWithSavepoint(false, home.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get(90, TimeUnit.SECONDS);
    return Path.of(URI.create(path));
  }

  private JobClient running;

  private void awaitArchived(TesseraConfig config, long n) throws Exception {
    try (Opened opened = new Opened(Catalogs.open(config))) {
      EventTables archives = new EventTables(opened.catalog(), config.get(OfflineOptions.NAMESPACE));
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
        JobStatus status;
        try {
          status = running.getJobStatus().get();
        } catch (Exception ended) {
          status = JobStatus.FAILED;
        }
        if (status.isGloballyTerminalState()) {
          running.getJobExecutionResult().get(); // throws the job's failure
          throw new IllegalStateException("the ingest job ended");
        }
        return archives.find(TOPIC).map(t -> {
          t.refresh();
          return count(t);
        }).orElse(0L) >= n;
      });
    }
  }

  // ---- events ------------------------------------------------------------------------------------

  private void produce(EmbeddedKafka kafka, FeatureSetContract c, Random r, long from, int n) throws Exception {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String customer = "c-" + r.nextInt(KEYS);
      long t = from + i * 20_000L + r.nextInt(5_000); // in order per partition, within maxOutOfOrderness: nothing is late
      double amount = Math.round(r.nextDouble() * 50_000) / 100.0;
      String country = new String[] {"DE", "FR", "NL", "US"}[r.nextInt(4)];
      records.add(record(c.source().schema(), customer, t, amount, country, produced + i));
    }
    kafka.producer().send(records);
    produced += n;
  }

  private void produceOne(EmbeddedKafka kafka, Schema schema, String customer, long t, double amount, String country) throws Exception {
    kafka.producer().send(List.of(record(schema, customer, t, amount, country, produced)));
    produced++;
  }

  private ProducerRecord<byte[], byte[]> record(Schema schema, String customer, long t, double amount, String country, long id)
      throws IOException {
    GenericRecord rec = new GenericData.Record(schema);
    rec.put("transaction_id", "t-" + id);
    rec.put("customer_id", customer);
    rec.put("merchant_id", "m-1");
    rec.put("amount", amount);
    rec.put("country", country);
    rec.put("event_time", t);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
    new GenericDatumWriter<GenericRecord>(schema).write(rec, enc);
    enc.flush();
    Map<String, Object> fields = new HashMap<>();
    fields.put("customer_id", customer);
    fields.put("amount", amount);
    fields.put("country", country);
    fields.put("event_time", t);
    WindowReference.Event e = new WindowReference.Event(t, id, fields);
    events.add(e);
    byKey.computeIfAbsent(customer, k -> new CopyOnWriteArrayList<>()).add(e);
    return new ProducerRecord<>(TOPIC, customer.getBytes(StandardCharsets.UTF_8), bytes.toByteArray());
  }

  // ---- checks --------------------------------------------------------------------------------------

  /** Every final row equals the definition over all events at its time; a row at every event time; no duplicates. */
  private void assertOfflineRowsMatchTheReference(FeatureSetContract c, Table table, long tick) throws IOException {
    Map<String, TreeMap<Long, Record>> rows = new HashMap<>();
    try (CloseableIterable<Record> all = IcebergGenerics.read(table).build()) {
      for (Record r : all) {
        String key = (String) r.getField("customer_id");
        long t = (Long) IcebergValues.fromIceberg(r.getField("event_time"));
        assertThat(rows.computeIfAbsent(key, k -> new TreeMap<>()).put(t, r)).as("one row of %s at %d", key, t).isNull();
      }
    }
    for (var e : byKey.entrySet()) {
      if (e.getKey().equals("c-tick")) {
        continue;
      }
      TreeMap<Long, Record> keyRows = rows.get(e.getKey());
      assertThat(keyRows).as("rows of %s", e.getKey()).isNotNull();
      for (WindowReference.Event ev : e.getValue()) {
        assertThat(keyRows).as("a row of %s at its event %d (rows around it: %s; cut %d)", e.getKey(), ev.time(),
            keyRows.subMap(ev.time() - 3_600_000, ev.time() + 3_600_000).keySet(), replayCut).containsKey(ev.time());
      }
      long last = e.getValue().stream().mapToLong(WindowReference.Event::time).max().orElseThrow();
      assertThat(keyRows.lastKey()).as("the last expiry row of %s is final", e.getKey()).isGreaterThan(last + Duration.ofHours(24).toMillis() - 60_000);
      for (var row : keyRows.entrySet()) {
        Object[] want = WindowReference.reference(c, e.getValue(), row.getKey());
        Object[] got = new Object[c.features().size()];
        for (int i = 0; i < got.length; i++) {
          got[i] = IcebergValues.fromIceberg(row.getValue().getField(c.features().get(i).name()));
        }
        WindowReference.assertValues(got, want, e.getKey() + " at " + row.getKey());
      }
    }
  }

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

  private void assertSnapshotMatchesTheReference(TesseraConfig config, Path contractsDir, FeatureSetContract c, long t0, Random r)
      throws Exception {
    StringBuilder spine = new StringBuilder("customer_id,ts\n");
    List<Object[]> spineRows = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      String key = "c-" + r.nextInt(KEYS + 1); // c-12 has no events
      long t = t0 + (long) (r.nextDouble() * Duration.ofHours(30).toMillis());
      spineRows.add(new Object[] {key, t});
      spine.append(key).append(',').append(Instant.ofEpochMilli(t)).append('\n');
    }
    Path spineFile = home.resolve("spine.csv");
    Files.writeString(spineFile, spine);
    Path out = home.resolve("snapshot.csv");
    try (Opened opened = new Opened(Catalogs.open(config))) {
      new SnapshotService(config, ContractRegistry.fromDirectory(contractsDir), opened.catalog(), ProgressListener.NONE)
          .create(new SnapshotRequest(spineFile.toString(), "ts", List.of("customer_activity:*"), out.toString()));
    }
    List<String> lines = Files.readAllLines(out);
    List<String> header = List.of(lines.get(0).split(",", -1));
    assertThat(lines).hasSize(spineRows.size() + 1);
    for (int i = 0; i < spineRows.size(); i++) {
      String key = (String) spineRows.get(i)[0];
      long t = (Long) spineRows.get(i)[1];
      String[] cells = lines.get(i + 1).split(",", -1);
      Object[] want = WindowReference.reference(c, byKey.getOrDefault(key, List.of()).stream().filter(e -> e.time() <= t).toList(), t);
      boolean anyEvent = byKey.getOrDefault(key, List.of()).stream().anyMatch(e -> e.time() <= t);
      for (int f = 0; f < c.features().size(); f++) {
        Feature feature = c.features().get(f);
        String cell = cells[header.indexOf("customer_activity__" + feature.name())];
        Object got = cell.isEmpty() ? null : parse(cell, want[f]);
        Object expected = anyEvent ? want[f] : null;
        WindowReference.assertValues(new Object[] {got}, new Object[] {expected}, "snapshot " + feature.name() + " of " + key + " at " + t);
      }
    }
  }

  private void assertOnlineMatchesTheReference(FeatureSetContract c) throws Exception {
    for (var e : byKey.entrySet()) {
      if (e.getKey().equals("c-tick")) {
        continue;
      }
      JsonNode fs = lookup(serving.get(), e.getKey()).at("/feature_sets/customer_activity");
      assertThat(fs.path("missing").isMissingNode()).as("nothing missing for %s: %s", e.getKey(), fs).isTrue();
      long t = fs.get("event_time").asLong();
      Object[] want = WindowReference.reference(c, e.getValue(), t);
      for (int f = 0; f < want.length; f++) {
        JsonNode v = fs.get("values").get(c.features().get(f).name());
        Object got = v.isNull() ? null : v.isTextual() ? v.asText() : v.isIntegralNumber() ? (Object) v.asLong() : (Object) v.asDouble();
        WindowReference.assertValues(new Object[] {got}, new Object[] {want[f]}, "online " + c.features().get(f).name() + " of " + e.getKey());
      }
    }
  }

  private static Object parse(String cell, Object like) {
    if (like instanceof Long) {
      return Long.parseLong(cell);
    }
    if (like instanceof Double) {
      return Double.parseDouble(cell);
    }
    return cell;
  }

  // ---- services and lookups ---------------------------------------------------------------------------

  private Process service(EmbeddedKafka kafka, Path contractsDir, String name) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path serviceHome = home.resolve("service-" + name);
    Files.createDirectories(serviceHome);
    Path log = serviceHome.resolve("service.log");
    Process p = ServiceProcess.start(ServiceProcess.command(serviceHome, null, port, Map.of(
        "tessera.contracts.dir", contractsDir.toString(),
        "tessera.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "tessera.online.api-keys", "*:" + API_KEY,
        "tessera.online.lag-interval", "200ms",
        "quarkus.log.level", "WARN"), List.of("-Xmx384m")), false, log);
    String url = "http://127.0.0.1:" + port;
    services.add(p);
    ServiceProcess.awaitReady(p, url, Duration.ofSeconds(120), log);
    serving.set(url);
    return p;
  }

  private final List<Process> services = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** However the test ends, no service outlives it. */
  @org.junit.jupiter.api.AfterEach
  void stopServices() throws InterruptedException {
    for (Process p : services) {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  private final AtomicBoolean looking = new AtomicBoolean(true);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Looks up every key in turn, for the whole run, against the service being served. */
  private Thread lookups() {
    Thread t = new Thread(() -> {
      int i = 0;
      while (looking.get()) {
        String key = "c-" + (i++ % KEYS);
        try {
          JsonNode fs = lookup(serving.get(), key).at("/feature_sets/customer_activity");
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

  private JsonNode lookup(String base, String key) throws Exception {
    return get(base, "/v1/features/customer_activity?customer_id=" + key);
  }

  private JsonNode get(String base, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("X-API-Key", API_KEY).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + r.statusCode() + " from " + base + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  // ---- set-up ---------------------------------------------------------------------------------------

  private TesseraConfig config(EmbeddedKafka kafka, Path contractsDir) {
    return TesseraConfig.defaults(home, Map.of(
        "tessera.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "tessera.contracts.dir", contractsDir.toString(),
        "tessera.ingest.checkpoint-interval", "1s",
        "tessera.ingest.idle-timeout", "1s",
        "tessera.ingest.parallelism", "2"));
  }

  private Path contracts(String name, java.util.function.UnaryOperator<String> edit) throws IOException {
    Path dir = home.resolve("contracts-" + name);
    Files.createDirectories(dir);
    Files.copy(EXAMPLES.resolve("transaction.avsc"), dir.resolve("transaction.avsc"));
    Files.writeString(dir.resolve("customer_activity.yaml"), edit.apply(Files.readString(EXAMPLES.resolve("customer_activity.yaml"))));
    return dir;
  }

  /** A catalog closed after use (JDBC catalogs hold a connection pool). */
  record Opened(Catalog catalog) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  private static long count(Table t) {
    try (CloseableIterable<Record> all = IcebergGenerics.read(t).build(); Stream<Record> s = stream(all)) {
      return s.count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Stream<Record> stream(CloseableIterable<Record> it) {
    return java.util.stream.StreamSupport.stream(it.spliterator(), false);
  }
}
