package dev.tessera.online.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.testkit.ChangelogSeeder;
import dev.tessera.online.lookup.FeatureLookup;
import dev.tessera.online.lookup.FeatureSelection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service on RocksDB, stopped and started again on the same directory: the second start
 * reads only what was written to the changelog while it was down (resuming from the offsets
 * stored with the data), is ready once caught up, and serves the new values.
 */
@Timeout(180)
class ServiceRestartIT {
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(Path.of("../contracts/examples"));
  @TempDir Path home;

  @Test
  void restartResumesWithoutReplay() throws Exception {
    FeatureSetContract c = REGISTRY.get("customer_activity");
    long now = System.currentTimeMillis();
    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      ChangelogSeeder changelog = new ChangelogSeeder(kafka).createTopics(REGISTRY.all(), 3);
      changelog.send(rows(c, 0, 3000, now - 60_000));
      TesseraConfig config = TesseraConfig.defaults(home, Map.of("tessera.contracts.dir", "../contracts/examples",
          "tessera.kafka.bootstrap-servers", kafka.bootstrapServers(), "tessera.online.lag-interval", "100ms"));
      try (OnlineService first = new OnlineService(config, new SimpleMeterRegistry()).start()) {
        await().atMost(Duration.ofSeconds(60)).until(() -> first.readiness().ready());
        // readiness follows the stored offsets; the applied counter is bumped just after each batch
        await().atMost(Duration.ofSeconds(10)).until(() -> first.appliedRecords() == 3000);
        assertThat(value(first, c, "c-7")).isEqualTo(7L);
      }
      // written while the service is down
      changelog.send(rows(c, 3000, 500, now - 30_000));
      try (OnlineService second = new OnlineService(config, new SimpleMeterRegistry()).start()) {
        await().atMost(Duration.ofSeconds(60)).until(() -> second.readiness().ready());
        await().atMost(Duration.ofSeconds(10)).until(() -> second.appliedRecords() == 500);
        assertThat(second.appliedRecords()).as("only the 500 new records are read, not the 3,500 of the topic").isEqualTo(500);
        assertThat(value(second, c, "c-3007")).isEqualTo(3007L);
        assertThat(value(second, c, "c-7")).as("kept from before the restart").isEqualTo(7L);
        long stored = second.store().offsets(c.changelogTopic()).values().stream().mapToLong(Long::longValue).sum();
        assertThat(stored).as("3,500 rows and a schema record on each of the 3 partitions").isEqualTo(3500 + 3);
      }
    }
  }

  static Object value(OnlineService s, FeatureSetContract c, String id) {
    FeatureLookup.Result r = s.lookups().lookup(FeatureSelection.all(c), List.of(Map.of("customer_id", id))).get(0).featureSets().get(c.name());
    assertThat(r.status()).isEqualTo(FeatureLookup.Status.OK);
    return r.values().get("txn_count_1h");
  }

  static List<ChangelogSeeder.Row> rows(FeatureSetContract c, int from, int n, long time) {
    List<ChangelogSeeder.Row> rows = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      rows.add(new ChangelogSeeder.Row(c, Map.of("customer_id", "c-" + i), Map.of("txn_count_1h", (long) i, "last_country", "DE"), time, 1));
    }
    return rows;
  }
}
