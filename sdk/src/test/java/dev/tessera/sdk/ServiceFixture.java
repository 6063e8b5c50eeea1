package dev.tessera.sdk;

import dev.tessera.contracts.api.Feature;
import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.testkit.ChangelogSeeder;
import dev.tessera.testkit.EmbeddedKafka;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real online service for SDK tests: an in-JVM broker whose changelog topics are seeded
 * (customer c-i has txn_count_1h = i and last_country "C" + i; merchant m-j has txn_count_24h =
 * 1000 + j), and the packaged service (online-serving/target/quarkus-app) as a child process on a
 * free port, ready before the tests start.
 */
public final class ServiceFixture implements AutoCloseable {
  public static final String FRAUD_KEY = "sdk-fraud-key";
  public static final String MARKETING_KEY = "sdk-marketing-key";
  public static final int CUSTOMERS = 500;
  public static final int MERCHANTS = 50;
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(Path.of("../contracts/examples"));

  public final EmbeddedKafka kafka;
  private final ChangelogSeeder seeder;
  public final Process service;
  public final int port;
  public final long seededAt = System.currentTimeMillis();

  public ServiceFixture() throws Exception {
    kafka = new EmbeddedKafka();
    seeder = new ChangelogSeeder(kafka).createTopics(REGISTRY.all(), 2);
    seed(REGISTRY.get("customer_activity"), "customer_id", "c-", CUSTOMERS, 0);
    seed(REGISTRY.get("merchant_risk"), "merchant_id", "m-", MERCHANTS, 1000);
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path home = Files.createTempDirectory("tessera-sdk-it");
    Path jar = Path.of("../online-serving/target/quarkus-app/quarkus-run.jar").toAbsolutePath();
    service = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Dtessera.home=" + home,
        "-Dtessera.contracts.dir=" + Path.of("../contracts/examples").toAbsolutePath(),
        "-Dtessera.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
        "-Dtessera.online.api-keys=fraud-scoring:" + FRAUD_KEY + ",marketing-propensity:" + MARKETING_KEY,
        "-Dtessera.online.lag-interval=200ms", "-Dquarkus.http.port=" + port, "-Dquarkus.log.level=WARN", "-jar", jar.toString())
        .redirectErrorStream(true).redirectOutput(home.resolve("service.log").toFile()).start();
    awaitReady(home.resolve("service.log"));
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  private void awaitReady(Path log) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!service.isAlive()) {
        throw new IllegalStateException("the online service exited: " + Files.readString(log));
      }
      try {
        if (client.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString())
            .statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the online service was not ready in 120 s: " + Files.readString(log));
  }

  /** Expected values of the seeded rows. */
  public static long txnCount(int customer) {
    return customer;
  }

  private void seed(FeatureSetContract c, String keyName, String prefix, int n, long base) {
    List<ChangelogSeeder.Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> values = new java.util.HashMap<>();
      for (Feature f : c.features()) {
        values.put(f.name(), switch (f.type()) {
          case LONG -> base + i;
          case INT -> (int) (base + i);
          case DOUBLE -> i * 1.5;
          case FLOAT -> i * 1.5f;
          case BOOLEAN -> i % 2 == 0;
          case STRING -> "C" + i;
          case TIMESTAMP -> seededAt - i;
        });
      }
      rows.add(new ChangelogSeeder.Row(c, Map.of(keyName, prefix + i), values, seededAt - 1000, 1));
    }
    seeder.send(rows); // every seeded row acknowledged, or the fixture fails here
  }

  @Override
  public void close() throws Exception {
    service.destroy();
    service.waitFor();
    kafka.close();
  }

  static List<Map<String, String>> entities(int n, java.util.Random r) {
    List<Map<String, String>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Map.of("customer_id", "c-" + r.nextInt(CUSTOMERS + 20), "merchant_id", "m-" + r.nextInt(MERCHANTS)));
    }
    return out;
  }
}
