package dev.tessera.ingest.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tessera.config.OfflineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.FeatureTables;
import dev.tessera.testkit.EmbeddedKafka;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera ingest --bounded --resume-from}: a bounded job restored from a savepoint finishes
 * at the end of the topic (the Kafka connector's restored enumerator alone never lets it:
 * FLINK-31006), with every final row written.
 */
@Timeout(240)
class BoundedResumeIT {
  @TempDir Path home;

  @Test
  void aBoundedJobResumedFromASavepointFinishes() throws Exception {
    FeatureSetContract c = BackfillIT.REGISTRY.get("customer_activity");
    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      kafka.createTopic(c.source().topic(), 2);
      TesseraConfig config = TesseraConfig.defaults(home, Map.of("tessera.kafka.bootstrap-servers", kafka.bootstrapServers(),
          "tessera.ingest.checkpoint-interval", "500ms", "tessera.ingest.parallelism", "2", "tessera.ingest.idle-timeout", "2s"));
      long t0 = System.currentTimeMillis() - Duration.ofHours(3).toMillis();
      List<byte[]> first = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        first.add(IngestRecoveryIT.event(c, "c-" + (i % 20), t0 + i * 5000L));
      }
      kafka.produce(c.source().topic(), first);
      StreamExecutionEnvironment env = IngestEnvironment.environment(config, null);
      IngestJob.define(env, c, IngestEnvironment.settings(config, c, false));
      JobClient streaming = env.executeAsync("streaming");
      Catalog catalog = Catalogs.open(config);
      FeatureTables tables = new FeatureTables(catalog, config.get(OfflineOptions.NAMESPACE));
      await().atMost(Duration.ofSeconds(90)).until(() -> IngestRecoveryIT.rowCount(catalog, tables, c) > 0);
      Path savepoint = Path.of(URI.create(streaming.stopWithSavepoint(false, home.resolve("savepoints").toUri().toString(),
          SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS)));

      List<byte[]> more = new ArrayList<>();
      for (int i = 400; i < 600; i++) {
        more.add(IngestRecoveryIT.event(c, "c-" + (i % 20), t0 + i * 5000L));
      }
      kafka.produce(c.source().topic(), more);
      StreamExecutionEnvironment resumed = IngestEnvironment.environment(config, savepoint);
      IngestJob.define(resumed, c, IngestEnvironment.settings(config, c, true));
      JobClient bounded = resumed.executeAsync("bounded, resumed");
      bounded.getJobExecutionResult().get(120, TimeUnit.SECONDS); // finishes instead of waiting forever
      // the end of input finalizes every window: the last event's row is in the table
      assertThat(IngestPipelineIT.icebergRows(catalog, tables, c).values().stream().flatMap(List::stream)
          .mapToLong(r -> (Long) r[r.length - 1]).max().orElseThrow()).isGreaterThanOrEqualTo(t0 + 599 * 5000L);
    }
  }
}
