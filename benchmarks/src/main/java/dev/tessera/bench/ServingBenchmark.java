package dev.tessera.bench;

import dev.tessera.testkit.HttpLoad;

import dev.tessera.online.launch.ServiceProcess;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.testkit.ChangelogSeeder;
import dev.tessera.testkit.EmbeddedKafka;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Online serving latency and throughput: the packaged service (quarkus-run.jar, RocksDB) as a
 * child process, fed through a real broker with 100k customers and 10k merchants; single-entity
 * JSON lookups and 1,000-entity Arrow lookups (10 features) at fixed rates and closed loop; and in
 * the same run {@code redis-benchmark -t get} against the local Redis as the anchor.
 */
public final class ServingBenchmark {
  static final String KEY = "bench-key";

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = SnapshotBenchmark.parse(args);
    int customers = Integer.parseInt(opts.getOrDefault("customers", "100000"));
    int merchants = Integer.parseInt(opts.getOrDefault("merchants", "10000"));
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "15"));
    int port = Integer.parseInt(opts.getOrDefault("port", "18089"));
    Path work = Path.of(opts.getOrDefault("work", "/tmp/tessera-bench-serving"));
    Path root = Path.of(opts.getOrDefault("root", "."));
    SnapshotBenchmark.deleteRecursively(work);
    Files.createDirectories(work);
    ContractRegistry registry = ContractRegistry.fromDirectory(root.resolve("contracts/examples"));
    FeatureSetContract activity = registry.get("customer_activity");
    FeatureSetContract risk = registry.get("merchant_risk");
    System.out.printf("serving benchmark: %,d customers, %,d merchants, RocksDB store, %d cores, %.0f s per step%n",
        customers, merchants, Runtime.getRuntime().availableProcessors(), seconds);

    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      ChangelogSeeder seeder = createTopics(kafka, registry.all());
      long t = System.nanoTime();
      seed(seeder, activity, "customer_id", "c-", customers);
      seed(seeder, risk, "merchant_id", "m-", merchants);
      System.out.printf("  seeded the changelog in %.1fs%n", SnapshotBenchmark.secs(t));

      t = System.nanoTime();
      Process server = startService(root, work, kafka.bootstrapServers(), port, opts.getOrDefault("server-heap", "-Xmx1g"));
      try {
        System.out.printf("  service ready (caught up with the changelog) %.1fs after start%n", SnapshotBenchmark.secs(t));
        run(port, customers, merchants, seconds, opts);
      } finally {
        server.destroy();
        server.waitFor();
      }
    }
    redisAnchor();
  }

  /**
   * For the SDK benchmarks: a fresh {@code work} dir, {@code customers} and {@code merchants} rows
   * seeded into the changelog of customer_activity and merchant_risk, and the packaged service
   * started on them (ready, 1 GB heap).
   */
  static Process seededService(EmbeddedKafka kafka, ContractRegistry registry, Path work, int customers, int merchants, int port)
      throws Exception {
    SnapshotBenchmark.deleteRecursively(work);
    Files.createDirectories(work);
    ChangelogSeeder seeder = createTopics(kafka, registry.all());
    seed(seeder, registry.get("customer_activity"), "customer_id", "c-", customers);
    seed(seeder, registry.get("merchant_risk"), "merchant_id", "m-", merchants);
    return startService(Path.of("."), work, kafka.bootstrapServers(), port, "-Xmx1g");
  }

  /** The packaged online service (RocksDB) as a child process, ready; its log is work/server.log. */
  static Process startService(Path root, Path work, String bootstrap, int port, String heap) throws Exception {
    System.setProperty("tessera.root", root.toAbsolutePath().normalize().toString());
    List<String> cmd = dev.tessera.online.launch.ServiceProcess.command(work.resolve("home"), null, port, Map.of(
        "tessera.contracts.dir", root.resolve("contracts/examples").toAbsolutePath().toString(),
        "tessera.kafka.bootstrap-servers", bootstrap, "tessera.online.api-keys", "fraud-scoring:" + KEY, "quarkus.log.level", "WARN"),
        List.of(heap));
    Process server = dev.tessera.online.launch.ServiceProcess.start(cmd, false, work.resolve("server.log"));
    try {
      dev.tessera.online.launch.ServiceProcess.awaitReady(server, "http://127.0.0.1:" + port, Duration.ofSeconds(300), work.resolve("server.log"));
    } catch (Exception e) {
      server.destroy();
      throw e;
    }
    return server;
  }

  static void run(int port, int customers, int merchants, double seconds, Map<String, String> opts) throws Exception {
    HttpLoad load = new HttpLoad("127.0.0.1", port);
    SplittableRandom r = new SplittableRandom(3);
    HttpLoad.Requests single = i -> HttpLoad.get("127.0.0.1", "/v1/features/customer_activity?customer_id=c-" + Math.floorMod(i * 7919L, customers), KEY);
    // 1,000 entities, 10 features (customer_activity:* = 5, plus 5 of merchant_risk), keys as an Arrow IPC body
    List<byte[]> arrowBodies = new ArrayList<>();
    for (int b = 0; b < 16; b++) {
      List<String[]> keys = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        keys.add(new String[] {"c-" + r.nextInt(customers), "m-" + r.nextInt(merchants)});
      }
      arrowBodies.add(HttpLoad.post("127.0.0.1", "/v1/features/lookup?features=customer_activity:*&features=merchant_risk:txn_count_24h,"
              + "merchant_risk:amount_sum_1h,merchant_risk:amount_avg_24h,merchant_risk:amount_max_24h,merchant_risk:last_country",
          KEY, "application/vnd.apache.arrow.stream", "application/vnd.apache.arrow.stream", arrowKeys(keys)));
    }
    HttpLoad.Requests arrow = i -> arrowBodies.get(Math.floorMod(i, arrowBodies.size()));
    checkArrow(port, arrowBodies.get(0));

    double warm = Double.parseDouble(opts.getOrDefault("warm-up", "45"));
    System.out.printf("  warm-up (JIT): %.0f s of single-entity lookups, then %.0f s of Arrow lookups%n", warm / 3, 2 * warm / 3);
    load.closedLoop(single, warm / 3, 4);
    load.closedLoop(arrow, 2 * warm / 3, 2);

    HttpLoad.Result maxSingle = sweep(load, port, single, "single-entity JSON GET /v1/features/customer_activity?customer_id=...",
        opts.getOrDefault("single-rates", "500,1000,2000,3000"), seconds, 32, "get", 8);
    System.out.printf("  | closed loop, 8 connections | %,.0f | %.3f | %.3f | %.3f | %d |%n", maxSingle.throughput(),
        maxSingle.percentileMillis(0.5), maxSingle.percentileMillis(0.99), maxSingle.maxMillis(), maxSingle.errors());
    HttpLoad.Result maxArrow = sweep(load, port, arrow, "1,000-entity Arrow lookups (10 features over 2 feature sets, Arrow keys in, Arrow IPC out)",
        opts.getOrDefault("arrow-rates", "20,50,100"), seconds, 8, "lookup_arrow", 2);
    System.out.printf("  | closed loop, 2 connections | %,.0f (%,.0f entities/s) | %.3f | %.3f | %.3f | %d |%n", maxArrow.throughput(),
        maxArrow.throughput() * 1000, maxArrow.percentileMillis(0.5), maxArrow.percentileMillis(0.99), maxArrow.maxMillis(), maxArrow.errors());
  }

  /** The service's own p50/p99 of an endpoint (tessera_lookup_latency_seconds, since start), to split server from client time. */
  static void serverSide(int port, String endpoint) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    StringBuilder out = new StringBuilder("  server-side (tessera_lookup_latency_seconds, endpoint " + endpoint + ", all steps so far):");
    for (String line : r.body().split("\n")) {
      if (line.startsWith("tessera_lookup_latency_seconds{") && line.contains("endpoint=\"" + endpoint + "\"")
          && line.contains("feature_set=\"customer_activity\"") && line.contains("quantile=")) {
        String q = line.substring(line.indexOf("quantile=\"") + 10, line.indexOf('"', line.indexOf("quantile=\"") + 10));
        out.append(String.format(" p%s %.3f ms", q.equals("0.5") ? "50" : "99", Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) * 1000));
      }
    }
    System.out.println(out);
  }

  /** Fixed-rate runs at each offered rate, the server-side latency, then a closed loop; returns the closed loop's result. */
  private static HttpLoad.Result sweep(HttpLoad load, int port, HttpLoad.Requests request, String title, String rates, double seconds,
      int connections, String endpoint, int closedLoopConnections) throws Exception {
    System.out.println();
    System.out.println("  " + title);
    System.out.println("  | offered req/s | achieved req/s | p50 ms | p99 ms | max ms | errors |");
    System.out.println("  |---|---|---|---|---|---|");
    for (String rate : rates.split(",")) {
      row(rate, load.fixedRate(request, Double.parseDouble(rate), seconds, connections));
    }
    serverSide(port, endpoint);
    return load.closedLoop(request, seconds, closedLoopConnections);
  }

  static void row(String rate, HttpLoad.Result res) {
    System.out.printf("  | %s | %,.0f | %.3f | %.3f | %.3f | %d |%n", rate, res.throughput(), res.percentileMillis(0.5),
        res.percentileMillis(0.99), res.maxMillis(), res.errors());
  }

  static void checkArrow(int port, byte[] request) throws IOException {
    try (HttpLoad.Conn c = new HttpLoad.Conn("127.0.0.1", port)) {
      if (!c.exchange(request)) {
        throw new IllegalStateException("Arrow lookup failed: " + new String(c.lastBody, StandardCharsets.UTF_8));
      }
      try (RootAllocator a = new RootAllocator(); ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(c.lastBody), a)) {
        int rows = 0;
        int nonNull = 0;
        while (reader.loadNextBatch()) {
          VectorSchemaRoot root = reader.getVectorSchemaRoot();
          rows += root.getRowCount();
          for (int i = 0; i < root.getRowCount(); i++) {
            nonNull += root.getVector("customer_activity__txn_count_1h").isNull(i) ? 0 : 1;
          }
          System.out.printf("  Arrow response checked: %d columns, %d rows, %d with customer values, %,d bytes%n",
              root.getSchema().getFields().size(), rows, nonNull, c.lastBody.length);
        }
      }
    }
  }

  static void redisAnchor() throws Exception {
    System.out.println();
    System.out.println("  anchor: redis-benchmark -t get (local Redis 127.0.0.1:6379), same machine, same run");
    for (String[] args : List.of(new String[] {"-c", "1", "-n", "50000"}, new String[] {"-c", "8", "-n", "200000"})) {
      List<String> cmd = new ArrayList<>(List.of("redis-benchmark", "-h", "127.0.0.1", "-p", "6379", "-t", "get", "-d", "200"));
      cmd.addAll(List.of(args));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      // keep the summary lines (throughput and the latency summary table)
      String[] lines = out.split("\\R");
      for (int i = 0; i < lines.length; i++) {
        String l = lines[i].strip();
        if (l.startsWith("throughput summary")) {
          System.out.println("    [" + String.join(" ", args) + "] " + l);
        } else if (l.startsWith("latency summary") && i + 2 < lines.length) {
          System.out.println("      " + lines[i + 1].strip());
          System.out.println("      " + lines[i + 2].strip());
        }
      }
    }
  }

  static ChangelogSeeder createTopics(EmbeddedKafka kafka, List<FeatureSetContract> contracts) throws Exception {
    return new ChangelogSeeder(kafka).createTopics(contracts, 2);
  }

  /** One changelog row per key, typed values per feature, in the format ingest writes. */
  static void seed(ChangelogSeeder seeder, FeatureSetContract c, String keyName, String prefix, int n) {
    SplittableRandom r = new SplittableRandom(n);
    long now = System.currentTimeMillis();
    List<ChangelogSeeder.Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> values = new java.util.HashMap<>();
      for (Feature f : c.features()) {
        values.put(f.name(), switch (f.type()) {
          case INT -> r.nextInt(1000);
          case LONG -> (long) r.nextInt(1000);
          case FLOAT -> (float) r.nextDouble();
          case DOUBLE -> r.nextDouble() * 1000;
          case BOOLEAN -> r.nextBoolean();
          case STRING -> new String[] {"DE", "FR", "NL", "US"}[r.nextInt(4)];
          case TIMESTAMP -> now - r.nextInt(1_000_000);
        });
      }
      rows.add(new ChangelogSeeder.Row(c, Map.of(keyName, prefix + i), values, now - r.nextInt(600_000), 1));
      if (rows.size() == 10_000) {
        seeder.send(rows);
        rows.clear();
      }
    }
    seeder.send(rows);
  }

  static byte[] arrowKeys(List<String[]> keys) throws IOException {
    Schema schema = new Schema(List.of(new Field("customer_id", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
        new Field("merchant_id", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RootAllocator a = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(schema, a)) {
      root.allocateNew();
      for (int col = 0; col < 2; col++) {
        VarCharVector v = (VarCharVector) root.getVector(col);
        for (int i = 0; i < keys.size(); i++) {
          v.setSafe(i, keys.get(i)[col].getBytes(StandardCharsets.UTF_8));
        }
        v.setValueCount(keys.size());
      }
      root.setRowCount(keys.size());
      try (ArrowStreamWriter w = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
        w.start();
        w.writeBatch();
        w.end();
      }
    }
    return out.toByteArray();
  }
}
