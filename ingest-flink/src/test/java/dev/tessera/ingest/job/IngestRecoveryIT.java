package dev.tessera.ingest.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tessera.config.TesseraConfig;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.ingest.window.FeatureValues;
import dev.tessera.ingest.window.FeatureWindows;
import dev.tessera.ingest.window.KeyState;
import dev.tessera.testkit.WindowReference;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.FeatureTables;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault tolerance: the job is stopped with a savepoint mid-stream (after some rows were committed
 * to Iceberg), more events arrive, and a new job resumes from the savepoint. Iceberg must then
 * hold exactly the final rows of all events: none twice, none missing.
 */
@Timeout(300)
class IngestRecoveryIT {
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(Path.of("../contracts/examples"));
  static final long T0 = 1_767_225_600_000L;

  @TempDir Path home;

  /**
   * On both state backends, with a hot key besides the 25 ordinary ones: on RocksDB its state
   * (hundreds of pending event times) is held decoded between checkpoints and written back at
   * each barrier and at the savepoint (WindowFunction's held keys), which the resumed job must
   * find.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"hashmap", "rocksdb"})
  void stopWithSavepointAndResumeLosesAndDuplicatesNothing(String backend) throws Exception {
    FeatureSetContract c = REGISTRY.get("customer_activity");
    List<byte[]> payloads = new ArrayList<>();
    List<byte[]> ordinary = IngestPipelineIT.payloads(c.source().schema(), new Random(3), new ArrayList<>()).subList(0, 3000);
    for (int i = 0; i < ordinary.size(); i++) {
      payloads.add(ordinary.get(i));
      payloads.add(event(c, "c-hot", T0 + i * 1500L + 700, 1.0 + (i % 97) / 8.0)); // 420 pending times within the lateness
    }
    long lastTime = T0 + 3000 * 1500L;
    long cutoff = lastTime + 3_600_000L;
    payloads.add(event(c, "zz-flush", cutoff)); // its row is final once the next event's watermark passes it
    payloads.add(event(c, "zz-flush-2", cutoff + 2 * 86_400_000L));
    TesseraConfig config = TesseraConfig.defaults(home, Map.of("tessera.ingest.state-backend", backend));
    Configuration flink = new Configuration();
    flink.set(StateBackendOptions.STATE_BACKEND, backend);

    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      kafka.createTopic(c.source().topic(), 1);
      kafka.produce(c.source().topic(), payloads.subList(0, 3000));
      Catalog catalog = Catalogs.open(config);
      FeatureTables tables = new FeatureTables(catalog, config.get(OfflineOptions.NAMESPACE));

      StreamExecutionEnvironment first = StreamExecutionEnvironment.createLocalEnvironment(1, flink);
      first.enableCheckpointing(300);
      IngestJob.define(first, c, settings(kafka, config));
      JobClient job = first.executeAsync("ingest, first run");
      await().atMost(Duration.ofSeconds(120)).until(() -> rowCount(catalog, tables, c) > 0);
      String savepoint = job.stopWithSavepoint(false, home.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL).get();
      int rowsAtStop = rowCount(catalog, tables, c);

      kafka.produce(c.source().topic(), payloads.subList(3000, payloads.size()));
      Configuration resume = new Configuration(flink);
      resume.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
      StreamExecutionEnvironment second = StreamExecutionEnvironment.createLocalEnvironment(1, resume);
      second.enableCheckpointing(300);
      IngestJob.define(second, c, settings(kafka, config));
      JobClient resumed = second.executeAsync("ingest, resumed");
      await().atMost(Duration.ofSeconds(120)).until(() -> IngestPipelineIT.icebergRows(catalog, tables, c).containsKey("zz-flush"));
      resumed.cancel().get();

      Map<String, List<Object[]>> rows = IngestPipelineIT.icebergRows(catalog, tables, c); // also asserts no duplicate times
      rows.values().forEach(l -> l.removeIf(r -> (Long) r[r.length - 1] > cutoff));
      rows.values().removeIf(List::isEmpty);
      Map<String, List<Object[]>> expected = expectedFinalRows(c, payloads, cutoff);
      assertThat(rowsAtStop).as("stopped mid-stream").isPositive().isLessThan(expected.values().stream().mapToInt(List::size).sum());
      assertThat(rows.keySet()).isEqualTo(expected.keySet());
      rows.forEach((k, got) -> assertThat(got).as("rows of %s", k).usingRecursiveFieldByFieldElementComparator()
          .containsExactlyElementsOf(expected.get(k)));
    }
  }

  static IngestSettings settings(EmbeddedKafka kafka, TesseraConfig config) {
    return new IngestSettings(kafka.bootstrapServers(), "recovery-it", OffsetsInitializer.earliest(), false, Set.of(), Duration.ofSeconds(5), config);
  }

  static int rowCount(Catalog catalog, FeatureTables tables, FeatureSetContract c) throws Exception {
    return IngestPipelineIT.icebergRows(catalog, tables, c).values().stream().mapToInt(List::size).sum();
  }

  static byte[] event(FeatureSetContract c, String customer, long time) throws Exception {
    return event(c, customer, time, 1.0);
  }

  static byte[] event(FeatureSetContract c, String customer, long time, double amount) throws Exception {
    GenericRecord rec = new GenericData.Record(c.source().schema());
    rec.put("transaction_id", "flush");
    rec.put("customer_id", customer);
    rec.put("merchant_id", "m-0");
    rec.put("amount", amount);
    rec.put("country", "DE");
    rec.put("event_time", time);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
    new GenericDatumWriter<GenericRecord>(c.source().schema()).write(rec, enc);
    enc.flush();
    return bytes.toByteArray();
  }

  /** The final rows at or before {@code cutoff} of an uninterrupted run of the window logic. */
  static Map<String, List<Object[]>> expectedFinalRows(FeatureSetContract c, List<byte[]> payloads, long cutoff) {
    FeatureWindows windows = new FeatureWindows(c);
    Map<String, KeyState> states = new HashMap<>();
    var expected = IngestPipelineIT.expected(c, payloads);
    Map<String, List<Object[]>> out = new java.util.TreeMap<>();
    expected.accepted().forEach((key, events) -> {
      KeyState s = states.computeIfAbsent(key, k -> windows.newState());
      for (WindowReference.Event e : events) {
        windows.onEvent(s, e.time(), e.seq(), windows.project(e.fields()));
      }
      for (FeatureValues v : windows.finalizeUntil(s, cutoff)) {
        Object[] row = java.util.Arrays.copyOf(v.values(), v.values().length + 1);
        row[row.length - 1] = v.eventTime();
        out.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
      }
    });
    return out;
  }
}
