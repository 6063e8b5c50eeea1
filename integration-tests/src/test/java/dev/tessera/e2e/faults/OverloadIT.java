package dev.tessera.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.online.launch.ServiceProcess;
import dev.tessera.testkit.ChangelogSeeder;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.testkit.HttpLoad;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged online service (RocksDB, 256 MB heap) offered twice its measured saturation rate for
 * 30 s by the serving benchmark's load generator: the excess is shed with 503 and Retry-After,
 * nothing else goes wrong (no 500, no OOM, the process lives), and once the load drops every
 * request is answered again at once. The admitted requests' latency is printed, not asserted.
 */
@Timeout(240)
class OverloadIT {
  static final String KEY = "overload-key";

  @TempDir Path home;

  @Test
  void twiceTheSaturationRateIsShedAndTheServiceRecoversAtOnce() throws Exception {
    System.setProperty("tessera.root", UpProcess.ROOT.toString());
    FeatureSetContract c = ContractRegistry.fromDirectory(UpProcess.ROOT.resolve("contracts/examples")).get("customer_activity");
    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      ChangelogSeeder seeder = new ChangelogSeeder(kafka).createTopics(List.of(c), 2);
      List<ChangelogSeeder.Row> rows = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        rows.add(new ChangelogSeeder.Row(c, Map.of("customer_id", "c-" + i), Map.of("txn_count_1h", (long) i, "last_country", "DE"),
            System.currentTimeMillis(), i));
      }
      seeder.send(rows);
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path log = home.resolve("service.log");
      Process service = ServiceProcess.start(ServiceProcess.command(home, null, port, Map.of(
          "tessera.contracts.dir", UpProcess.ROOT.resolve("contracts/examples").toString(),
          "tessera.kafka.bootstrap-servers", kafka.bootstrapServers(),
          "tessera.online.max-in-flight", "16",
          "quarkus.log.level", "WARN"), List.of("-Xmx256m")), Map.of("TESSERA_ONLINE_API_KEYS", "*:" + KEY), log);
      try {
        ServiceProcess.awaitReady(service, "http://127.0.0.1:" + port, Duration.ofSeconds(120), log);
        HttpLoad load = new HttpLoad("127.0.0.1", port);
        HttpLoad.Requests lookup = i -> HttpLoad.get("127.0.0.1", "/v1/features/customer_activity?customer_id=c-" + Math.floorMod(i * 7919L, 2_000), KEY);

        load.fixedRate(lookup, 50_000, 2, 128); // warm-up (JIT), offered far more than it serves
        // saturation: the most it serves when offered far more than it can (a closed loop on two shared cores
        // measures the client, not the service)
        HttpLoad.Result saturation = load.fixedRate(lookup, 50_000, 3, 128);
        double served = saturation.count(200) / saturation.seconds();
        double rate = 2 * served;
        HttpLoad.Result overload = load.fixedRate(lookup, rate, 30, 128);
        HttpLoad.Result after = load.closedLoop(lookup, 2, 2);
        System.out.printf("saturation %,.0f req/s served (offered 50,000 req/s for 3 s: %s); offered %,.0f req/s for 30 s over 128 connections"
            + " (achieved %,.0f): %s, %,.0f req/s served, admitted p50 %.2f ms p99 %.2f ms (from each request's scheduled time); after the load: %s%n",
            served, saturation.statuses(), rate, overload.throughput(), overload.statuses(), overload.count(200) / overload.seconds(),
            overload.admittedPercentileMillis(0.5), overload.admittedPercentileMillis(0.99), after.statuses());

        assertThat(overload.statuses().keySet()).as("answers under overload: served or shed, nothing else").isSubsetOf(200, 503);
        assertThat(overload.count(503)).as("requests shed").isPositive();
        assertThat(overload.count(200)).as("requests served").isPositive();
        assertThat(overload.shedWithoutRetryAfter()).as("503s without Retry-After").isZero();
        assertThat(after.statuses().keySet()).as("answers once the load dropped").containsOnly(200);
        assertThat(service.isAlive()).as("the service survived").isTrue();
        assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
      } finally {
        service.destroy();
        service.waitFor();
      }
    }
  }
}
