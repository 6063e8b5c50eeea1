package dev.tessera.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.online.launch.ServiceProcess;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.ingest.job.IngestJob;
import dev.tessera.ingest.job.IngestPipeline;
import dev.tessera.ingest.job.IngestEnvironment;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.snapshot.ProgressListener;
import dev.tessera.offline.snapshot.SnapshotRequest;
import dev.tessera.offline.snapshot.SnapshotService;
import dev.tessera.offline.table.EventTables;
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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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

/**
 * One feature set's stream on the real broker, a Flink MiniCluster, the SQLite catalog and the
 * packaged online service, as the end-to-end tests of rollouts and replays run it: the stream
 * started, stopped with a savepoint and resumed (with a backfill's state); events produced and kept
 * (by key) for a brute-force reference; the offline rows, a training snapshot and the online values
 * compared with that reference. Keys are {@code c-0 .. c-<keys-1>}; a key {@code c-tick} (a far
 * later event that makes every row before it final) is left out of the comparisons.
 */
public final class StreamStack implements AutoCloseable {
  public static final Path EXAMPLES = Path.of("../contracts/examples").toAbsolutePath().normalize();
  static final ObjectMapper JSON = new ObjectMapper();

  static {
    System.setProperty("tessera.root", Path.of("..").toAbsolutePath().normalize().toString());
  }

  private final Path home;
  private final EmbeddedKafka kafka;
  private final String topic;
  private final int keys;
  private final String apiKey;
  /** Every event produced, and by key: the reference. */
  public final List<WindowReference.Event> events = new ArrayList<>();
  public final Map<String, List<WindowReference.Event>> byKey = new ConcurrentHashMap<>();
  /** The base URL of the service answering now. */
  public final AtomicReference<String> serving = new AtomicReference<>();
  private final List<Process> services = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private JobClient running;
  /** For messages: the cut of the last backfill, if any. */
  public long cut;

  public StreamStack(Path home, EmbeddedKafka kafka, String topic, int keys, String apiKey) {
    this.home = home;
    this.kafka = kafka;
    this.topic = topic;
    this.keys = keys;
    this.apiKey = apiKey;
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  /** However the test ends, no service outlives it. */
  @Override
  public void close() throws InterruptedException {
    for (Process p : services) {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  public JobClient start(TesseraConfig config, FeatureSetContract c, Path resume, String bootstrap, List<String> rollout) throws Exception {
    return start(config, c, resume, bootstrap, rollout, true);
  }

  /** Starts {@code c}'s stream (resumed from {@code resume}, loading {@code bootstrap}); {@code archive}: whether it writes the topic's events archive. */
  public JobClient start(TesseraConfig config, FeatureSetContract c, Path resume, String bootstrap, List<String> rollout, boolean archive)
      throws Exception {
    StreamExecutionEnvironment env = IngestEnvironment.environment(config, resume);
    // a failure fails the test with its cause instead of a restart loop
    env.configure(org.apache.flink.configuration.Configuration.fromMap(Map.of("restart-strategy.type", "none")));
    IngestPipeline pipeline = IngestJob.define(env, c, IngestEnvironment.settings(config, c, false).withBootstrap(bootstrap).withArchive(archive));
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

  public Path stop(JobClient job) throws Exception {
    String path = job.stopWithSavepoint(false, home.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get(90, TimeUnit.SECONDS);
    return Path.of(URI.create(path));
  }

  public void awaitArchived(TesseraConfig config, long n) throws Exception {
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
        return archives.find(topic).map(t -> {
          t.refresh();
          return count(t);
        }).orElse(0L) >= n;
      });
    }
  }

  public ProducerRecord<byte[], byte[]> record(Schema schema, String customer, long t, double amount, String country, long id)
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
    return new ProducerRecord<>(topic, customer.getBytes(StandardCharsets.UTF_8), bytes.toByteArray());
  }

  /** Every final row equals the definition over all events at its time; a row at every event time; no duplicates. */
  public void assertOfflineRowsMatchTheReference(FeatureSetContract c, Table table) throws IOException {
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
            keyRows.subMap(ev.time() - 3_600_000, ev.time() + 3_600_000).keySet(), cut).containsKey(ev.time());
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

  public void assertSnapshotMatchesTheReference(TesseraConfig config, Path contractsDir, FeatureSetContract c, long t0, Random r)
      throws Exception {
    StringBuilder spine = new StringBuilder("customer_id,ts\n");
    List<Object[]> spineRows = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      String key = "c-" + r.nextInt(keys + 1); // c-<keys> has no events
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

  public void assertOnlineMatchesTheReference(FeatureSetContract c) throws Exception {
    assertOnlineMatchesTheReference(c, c.name());
  }

  /** As {@link #assertOnlineMatchesTheReference(FeatureSetContract)}, reading the feature set as {@code ref} names it ({@code customer_activity@1}). */
  public void assertOnlineMatchesTheReference(FeatureSetContract c, String ref) throws Exception {
    for (var e : byKey.entrySet()) {
      if (e.getKey().equals("c-tick")) {
        continue;
      }
      JsonNode fs = get(serving.get(), "/v1/features/" + ref + "?customer_id=" + e.getKey()).at("/feature_sets/" + ref);
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

  /** Starts the packaged online service on {@code contractsDir} as the one {@link #serving} names; stopped by {@link #close}. */
  public Process service(Path contractsDir, String name) throws Exception {
    return service(contractsDir, name, Map.of("tessera.online.api-keys", "*:" + apiKey));
  }

  /** As {@link #service(Path, String)}, with more settings (another store, API keys per consumer). */
  public Process service(Path contractsDir, String name, Map<String, String> settings) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path serviceHome = home.resolve("service-" + name);
    Files.createDirectories(serviceHome);
    Path log = serviceHome.resolve("service.log");
    Map<String, String> all = new HashMap<>(Map.of(
        "tessera.contracts.dir", contractsDir.toString(),
        "tessera.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "tessera.online.lag-interval", "200ms",
        "quarkus.log.level", "WARN"));
    all.putAll(settings);
    Process p = ServiceProcess.start(ServiceProcess.command(serviceHome, null, port, all, List.of("-Xmx384m")), false, log);
    String url = "http://127.0.0.1:" + port;
    services.add(p);
    ServiceProcess.awaitReady(p, url, Duration.ofSeconds(120), log);
    serving.set(url);
    return p;
  }

  public JsonNode lookup(String base, String key) throws Exception {
    return get(base, "/v1/features/customer_activity?customer_id=" + key);
  }

  public JsonNode get(String base, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("X-API-Key", apiKey).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + r.statusCode() + " from " + base + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  public TesseraConfig config(Path contractsDir) {
    return TesseraConfig.defaults(home, properties(contractsDir));
  }

  /** The settings of {@link #config}, for a properties file the CLI reads ({@code --home <home> --config <file>}). */
  public Map<String, String> properties(Path contractsDir) {
    return Map.of(
        "tessera.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "tessera.contracts.dir", contractsDir.toString(),
        "tessera.ingest.checkpoint-interval", "1s",
        "tessera.ingest.idle-timeout", "1s",
        "tessera.ingest.parallelism", "2");
  }

  public static Path contracts(Path home, String name, java.util.function.UnaryOperator<String> edit) throws IOException {
    Path dir = home.resolve("contracts-" + name);
    Files.createDirectories(dir);
    Files.copy(EXAMPLES.resolve("transaction.avsc"), dir.resolve("transaction.avsc"));
    Files.writeString(dir.resolve("customer_activity.yaml"), edit.apply(Files.readString(EXAMPLES.resolve("customer_activity.yaml"))));
    return dir;
  }

  public static long count(Table t) {
    try (CloseableIterable<Record> all = IcebergGenerics.read(t).build(); Stream<Record> s = stream(all)) {
      return s.count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Stream<Record> stream(CloseableIterable<Record> it) {
    return java.util.stream.StreamSupport.stream(it.spliterator(), false);
  }

  /** A catalog closed after use (JDBC catalogs hold a connection pool). */
  public record Opened(Catalog catalog) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }
}
