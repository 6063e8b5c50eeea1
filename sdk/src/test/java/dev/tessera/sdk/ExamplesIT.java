package dev.tessera.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.FeatureRow;
import dev.tessera.offline.table.FeatureTableWriter;
import dev.tessera.offline.table.FeatureTables;
import dev.tessera.sdk.examples.InferenceLoopExample;
import dev.tessera.sdk.examples.TrainingDataExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The two examples of docs/sdk.md, run for real: inference with the batcher, and a training pull with replay. */
@Timeout(300)
class ExamplesIT {
  @TempDir Path home;

  @Test
  void inferenceLoopBatchesRequests() throws Exception {
    try (ServiceFixture fixture = new ServiceFixture();
        TesseraClient client = TesseraClient.builder().baseUrl(fixture.baseUrl()).apiKey(ServiceFixture.FRAUD_KEY).build()) {
      FeatureBatcher.Stats stats = InferenceLoopExample.run(client, 2_000, 32, ServiceFixture.CUSTOMERS, ServiceFixture.MERCHANTS);
      assertThat(stats.requests()).isEqualTo(2_000);
      assertThat(stats.failedRequests()).isZero();
      assertThat(stats.meanBatchSize()).isGreaterThan(1.0);
    }
  }

  @Test
  void trainingPullAndReplayGiveTheSameRows() throws Exception {
    Files.writeString(home.resolve("tessera.properties"), "tessera.contracts.dir=" + Path.of("../contracts/examples").toAbsolutePath() + "\n");
    TesseraConfig config = TesseraConfig.load(home.resolve("tessera.properties"), home, Map.of());
    FeatureSetContract c = ContractRegistry.fromDirectory(Path.of("../contracts/examples")).get("customer_activity");
    long t0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    Catalog catalog = Catalogs.open(config);
    List<FeatureRow> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Object[] values = new Object[c.features().size()];
      values[0] = (long) i;
      values[1] = i * 2.0;
      rows.add(new FeatureRow(new Object[] {"c-" + (i % 30)}, values, t0 + i * 60_000L));
    }
    new FeatureTableWriter(new FeatureTables(catalog, config.get(OfflineOptions.NAMESPACE)).ensure(c), c).append(rows);
    if (catalog instanceof AutoCloseable a) {
      a.close();
    }
    StringBuilder spine = new StringBuilder("customer_id,ts,label\n");
    for (int i = 0; i < 100; i++) {
      spine.append("c-").append(i % 35).append(',').append(Instant.ofEpochMilli(t0 + i * 170_000L)).append(',').append(i % 2).append('\n');
    }
    Path spineFile = home.resolve("spine.csv");
    Files.writeString(spineFile, spine);
    Path out = Files.createDirectories(home.resolve("out"));

    TrainingDataExample.Result r = TrainingDataExample.run(home, spineFile, out);
    assertThat(r.firstRows()).isEqualTo(100);
    assertThat(r.replayRows()).isEqualTo(100);
    assertThat(r.first().manifest().output().columns()).contains("customer_activity__txn_count_1h", "label");
    assertThat(Files.readAllBytes(Path.of(r.replay().output()))).as("replay is byte-identical").isEqualTo(Files.readAllBytes(Path.of(r.first().output())));

    // the same pull as a Flink job (MiniCluster here; tessera.flink.rest for a cluster), same options as the CLI
    try (dev.tessera.sdk.offline.TesseraOffline flink = dev.tessera.sdk.offline.TesseraOffline.open(home, null, Map.of(),
        dev.tessera.sdk.offline.TesseraOffline.Engine.FLINK)) {
      var s = flink.trainingSnapshot(spineFile.toString(), "ts", List.of("customer_activity:txn_count_1h", "customer_activity:amount_sum_24h"),
          out.resolve("train-flink.parquet").toString());
      assertThat(s.manifest().engine()).isEqualTo("flink");
      assertThat(Files.readAllBytes(Path.of(s.output()))).as("the Flink engine writes the same rows").isEqualTo(Files.readAllBytes(Path.of(r.first().output())));
    }
  }
}
