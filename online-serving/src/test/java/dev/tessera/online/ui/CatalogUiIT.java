package dev.tessera.online.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.online.rest.ChangelogFixture;
import dev.tessera.online.rest.ServingProfiles;
import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.RocksDbOnlineStore;
import dev.tessera.testkit.ChangelogSeeder;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * The catalog UI in a real browser: Debian's chromium, headless, driven by playwright-core
 * ({@code src/test/ui/catalog.spec.mjs}, installed by {@code src/test/ui/setup.sh}, which the build
 * runs before the ITs). The service runs on the changelog fixture, with fresh rows after it is
 * ready (freshness samples within the SLA), rejected events in the DLQ, and a contract version an
 * earlier deployment served (0.9.0, before amount_avg_7d) kept in its store, so every section has
 * something real to show. Screenshots: {@code target/ui-screenshots}. One failing step fails this.
 */
@QuarkusTest
@TestProfile(CatalogUiIT.Profile.class)
class CatalogUiIT {
  static final Path EXAMPLES = Path.of("../contracts/examples");

  @TestHTTPResource("/")
  URL base;

  @jakarta.inject.Inject dev.tessera.online.rest.ServiceLifecycle lifecycle;

  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> m = ServingProfiles.common();
      try {
        Path dir = Files.createTempDirectory("tessera-ui-it");
        try (OnlineStore store = new RocksDbOnlineStore(dir)) { // what an earlier deployment served
          String yaml = Files.readString(EXAMPLES.resolve("customer_activity.yaml")).replace("version: 1.0.0", "version: 0.9.0")
              .replaceAll("(?m)^  - name: amount_avg_7d\\n(^    .*\\n)+", "");
          store.saveContract(new OnlineStore.ContractVersion("customer_activity", "0.9.0", System.currentTimeMillis() - 86_400_000L, yaml,
              Map.of("transaction.avsc", Files.readString(EXAMPLES.resolve("transaction.avsc")))));
        }
        m.put("tessera.online.rocksdb.dir", dir.toString());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      m.put("tessera.online.status-sample-interval", "500ms");
      return m;
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(ChangelogFixture.class));
    }
  }

  @Test
  void aPersonSignsInReadsAFeatureSetAgainstItsSlaLooksUpAndFollowsLineage() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    awaitCatalog(http, n -> n.path("live").path("ready").asBoolean());
    // rows made after the service caught up: their freshness is what the page shows against the SLA
    FeatureSetContract activity = ChangelogFixture.REGISTRY.get("customer_activity");
    List<ChangelogSeeder.Row> fresh = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      fresh.add(ChangelogFixture.row(activity, Map.of("customer_id", "c-ui-" + i), i, System.currentTimeMillis() - 1_500, 1));
    }
    new ChangelogSeeder(ChangelogFixture.kafka).send(fresh);
    ChangelogFixture.kafka.producer().send(List.of(rejected(activity, "quality_rule", "rule not_null on 'amount': the value is null"),
        rejected(activity, "quality_rule", "rule range on 'amount': -5.0 is below 0.0"), rejected(activity, "decode", "not Avro")));
    awaitCatalog(http, n -> n.path("live").path("freshness").path("samples").asLong() >= 20
        && n.path("live").path("dlq").path("last_hour").path("quality_rule").asLong() == 2);
    // the charts draw samples with freshness in them (the service samples every 500 ms here)
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> lifecycle.service().statusHistory()
        .lastHour("customer_activity@1").stream().filter(p -> p.freshnessP99Ms() != null).count() >= 2);
    // the series the rendered SLA alerts and dashboard read (tessera deploy render), as this service exports them (the DLQ gauge
    // follows the monitor at the next status sample)
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
        http.send(HttpRequest.newBuilder(URI.create(base + "q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body())
        .contains("tessera_dlq_rejected_last_hour{feature_set=\"customer_activity\",major=\"1\",reason=\"quality_rule\"} 2.0")
        .contains("tessera_dlq_rejected_last_hour{feature_set=\"customer_activity\",major=\"1\",reason=\"decode\"} 1.0")
        .contains("tessera_freshness_lag_seconds_bucket{feature_set=\"customer_activity\",major=\"1\",le=")
        .contains("http_server_requests_seconds_count{"));

    Path work = Path.of("target/ui-tests");
    Path spec = work.resolve("catalog.spec.mjs");
    assertThat(work.resolve("node_modules/playwright-core")).as("playwright-core, installed by src/test/ui/setup.sh (the build runs it)")
        .isDirectory();
    Files.copy(Path.of("src/test/ui/catalog.spec.mjs"), spec, StandardCopyOption.REPLACE_EXISTING);
    Path screenshots = Path.of("target/ui-screenshots").toAbsolutePath();
    String expectedTxn = String.valueOf(ChangelogFixture.EXPECTED.get("customer_activity").get("c-1").values().get("txn_count_1h"));
    ProcessBuilder pb = new ProcessBuilder("node", spec.getFileName().toString()).directory(work.toFile()).redirectErrorStream(true);
    pb.environment().putAll(Map.of("BASE_URL", base.toString().replaceAll("/$", ""), "API_KEY", ServingProfiles.FRAUD_KEY,
        "EXPECTED_TXN", expectedTxn, "OUT", screenshots.toString(), "CHROMIUM", "/usr/bin/chromium"));
    Process node = pb.start();
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean done = node.waitFor(3, TimeUnit.MINUTES);
    if (!done) {
      node.destroyForcibly();
    }
    System.out.println(output);
    assertThat(done).as("the browser tests ended within 3 minutes").isTrue();
    assertThat(node.exitValue()).as("browser tests (screenshots in %s):%n%s", screenshots, output).isZero();
    assertThat(output).contains("catalog UI: all steps passed").doesNotContain("FAIL ");
    assertThat(screenshots.resolve("04-feature-set.png")).isRegularFile();
  }

  private void awaitCatalog(HttpClient http, java.util.function.Predicate<JsonNode> condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "v1/feature-sets/customer_activity"))
          .header("X-API-Key", ServingProfiles.OPS_KEY).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        last = new ObjectMapper().readTree(r.body());
        if (condition.test(last)) {
          return;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the catalog never showed what the test waits for; last: " + last);
  }

  private static ProducerRecord<byte[], byte[]> rejected(FeatureSetContract c, String reason, String detail) {
    RecordHeaders h = new RecordHeaders();
    h.add("tessera.contract", c.name().getBytes(StandardCharsets.UTF_8));
    h.add("tessera.version", c.version().toString().getBytes(StandardCharsets.UTF_8));
    h.add("tessera.reason", reason.getBytes(StandardCharsets.UTF_8));
    h.add("tessera.detail", detail.getBytes(StandardCharsets.UTF_8));
    h.add("tessera.source.topic", c.source().topic().getBytes(StandardCharsets.UTF_8));
    h.add("tessera.source.partition", "0".getBytes(StandardCharsets.UTF_8));
    h.add("tessera.source.offset", "42".getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(c.source().dlqTopic(), 0, System.currentTimeMillis(), null, new byte[] {2, 6, 99}, h);
  }
}
