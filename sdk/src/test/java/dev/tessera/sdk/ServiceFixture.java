package dev.tessera.sdk;

import dev.tessera.online.launch.ServiceProcess;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.testkit.ChangelogSeeder;
import dev.tessera.testkit.EmbeddedKafka;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    this(Path.of("../contracts/examples"));
  }

  /** The service reading its contracts from {@code contractsDir} (edited copies of the examples: same majors). */
  public ServiceFixture(Path contractsDir) throws Exception {
    kafka = new EmbeddedKafka();
    seeder = new ChangelogSeeder(kafka).createTopics(REGISTRY.all(), 2);
    seed(REGISTRY.get("customer_activity"), "customer_id", "c-", CUSTOMERS, 0);
    seed(REGISTRY.get("merchant_risk"), "merchant_id", "m-", MERCHANTS, 1000);
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path home = Files.createTempDirectory("tessera-sdk-it");
    if (System.getProperty("tessera.root") == null) {
      System.setProperty("tessera.root", Path.of("..").toAbsolutePath().normalize().toString());
    }
    Path log = home.resolve("service.log");
    service = ServiceProcess.start(ServiceProcess.command(home, null, port, Map.of(
        "tessera.contracts.dir", contractsDir.toAbsolutePath().toString(),
        "tessera.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "tessera.online.api-keys", "fraud-scoring:" + FRAUD_KEY + ",marketing-propensity:" + MARKETING_KEY,
        "tessera.online.lag-interval", "200ms", "quarkus.log.level", "WARN"), List.of("-Xmx512m")), false, log);
    ServiceProcess.awaitReady(service, baseUrl(), Duration.ofSeconds(120), log);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
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
