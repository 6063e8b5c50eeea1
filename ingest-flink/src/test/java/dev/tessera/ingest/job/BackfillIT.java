package dev.tessera.ingest.job;

import dev.tessera.ingest.backfill.Backfill;
import dev.tessera.ingest.backfill.BackfillResult;
import dev.tessera.ingest.backfill.StateBootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.FeatureTables;
import dev.tessera.testkit.EmbeddedKafka;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill between a stop and a resume of the stream: rows up to the replay's cut come from the
 * backfill, rows after it from the stream resumed from the backfill's savepoint, and together they
 * are exactly the rows of an uninterrupted run (none missing, none twice).
 */
@Timeout(300)
class BackfillIT {
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(Path.of("../contracts/examples"));

  @TempDir Path home;

  @Test
  void backfilledStateContinuesExactlyWhereTheReplayEnds() throws Exception {
    FeatureSetContract c = REGISTRY.get("customer_activity");
    List<byte[]> payloads = new ArrayList<>(IngestPipelineIT.payloads(c.source().schema(), new Random(5), new ArrayList<>())
        .subList(0, 2000));
    long lastTime = IngestPipelineIT.T0 + 2000 * 1500L;
    long cutoff = lastTime + 3_600_000L;
    payloads.add(IngestRecoveryIT.event(c, "zz-flush", cutoff));
    payloads.add(IngestRecoveryIT.event(c, "zz-flush-2", cutoff + 2 * 86_400_000L));
    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      kafka.createTopic(c.source().topic(), 1);
      TesseraConfig config = TesseraConfig.defaults(home, Map.of("tessera.kafka.bootstrap-servers", kafka.bootstrapServers(),
          "tessera.ingest.checkpoint-interval", "500ms", "tessera.ingest.parallelism", "1", "tessera.ingest.idle-timeout", "2s"));
      Catalog catalog = Catalogs.open(config);
      FeatureTables tables = new FeatureTables(catalog, config.get(OfflineOptions.NAMESPACE));
      kafka.produce(c.source().topic(), payloads.subList(0, 1000));

      JobClient first = start(config, c, null, null);
      await().atMost(Duration.ofSeconds(120)).until(() -> IngestRecoveryIT.rowCount(catalog, tables, c) > 200);
      Path savepoint = stop(first);

      // the Flink engine first, then the local one: the same rows, state and counts
      long epoch = 77L << 32;
      String onFlink = home.resolve("flink.state").toUri().toString();
      // two tasks per stage: keys and partitions spread over subtasks
      TesseraConfig onTwo = TesseraConfig.defaults(home, Map.of("tessera.kafka.bootstrap-servers", kafka.bootstrapServers(),
          "tessera.ingest.parallelism", "2"));
      BackfillResult f = Backfill.run(onTwo, new Backfill.Request(c, null, null, onFlink, false).withSequenceEpoch(epoch),
          Backfill.Engine.FLINK, System.out::println);
      var rowsOnFlink = text(IngestPipelineIT.icebergRows(catalog, tables, c));
      String bootstrap = home.resolve("bootstrap.state").toUri().toString();
      BackfillResult r = Backfill.run(config, new Backfill.Request(c, null, null, bootstrap, false).withSequenceEpoch(epoch),
          Backfill.Engine.LOCAL, System.out::println);
      assertThat(r.archived()).as("every decodable event of the first 1,000 (a few payloads are bad bytes)").isBetween(950L, 1000L);
      assertThat(List.of(f.archived(), f.duplicates(), f.accepted(), f.keys(), f.rows(), f.from(), f.cut()))
          .isEqualTo(List.of(r.archived(), r.duplicates(), r.accepted(), r.keys(), r.rows(), r.from(), r.cut()));
      assertThat(f.rejected()).isEqualTo(r.rejected());
      assertThat(text(IngestPipelineIT.icebergRows(catalog, tables, c))).isEqualTo(rowsOnFlink);
      assertThat(states(onFlink)).hasSize((int) r.keys()).isEqualTo(states(bootstrap));

      kafka.produce(c.source().topic(), payloads.subList(1000, payloads.size()));
      JobClient resumed = start(config, c, savepoint, bootstrap);
      await().atMost(Duration.ofSeconds(120)).until(() -> IngestPipelineIT.icebergRows(catalog, tables, c).containsKey("zz-flush"));
      resumed.cancel().get();

      var rows = IngestPipelineIT.icebergRows(catalog, tables, c);
      rows.values().forEach(l -> l.removeIf(row -> (Long) row[row.length - 1] > cutoff));
      rows.values().removeIf(List::isEmpty);
      var expected = IngestRecoveryIT.expectedFinalRows(c, payloads, cutoff);
      assertThat(rows.keySet()).isEqualTo(expected.keySet());
      rows.forEach((k, got) -> assertThat(got).as("rows of %s", k).usingRecursiveFieldByFieldElementComparator()
          .containsExactlyElementsOf(expected.get(k)));
    }
  }

  private static Map<String, List<String>> text(Map<String, List<Object[]>> rows) {
    Map<String, List<String>> out = new java.util.TreeMap<>();
    rows.forEach((k, l) -> out.put(k, l.stream().map(java.util.Arrays::deepToString).sorted().toList()));
    return out;
  }

  /** A bootstrap file's entries by key: encoded key, timer and state, comparable. */
  private static Map<String, List<String>> states(String location) throws java.io.IOException {
    Map<String, List<String>> byKey = new java.util.HashMap<>();
    StateBootstrap.read(location, e -> byKey.put(e.key(), List.of(java.util.HexFormat.of().formatHex(e.encodedKey()),
        Long.toString(e.timer()), java.util.HexFormat.of().formatHex(e.state()))));
    return byKey;
  }

  private JobClient start(TesseraConfig config, FeatureSetContract c, Path resume, String bootstrap) throws Exception {
    StreamExecutionEnvironment env = IngestEnvironment.environment(config, resume);
    env.configure(org.apache.flink.configuration.Configuration.fromMap(Map.of("restart-strategy.type", "none")));
    IngestJob.define(env, c, IngestEnvironment.settings(config, c, false).withBootstrap(bootstrap));
    return env.executeAsync("backfill-it");
  }

  private Path stop(JobClient job) throws Exception {
    return Path.of(URI.create(job.stopWithSavepoint(false, home.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL).get()));
  }
}
