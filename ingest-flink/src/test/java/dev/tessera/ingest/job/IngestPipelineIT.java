package dev.tessera.ingest.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.ingest.decode.Decoded;
import dev.tessera.ingest.decode.EventDecoder;
import dev.tessera.ingest.decode.SourceEvent;
import dev.tessera.testkit.WindowReference;
import dev.tessera.testkit.ChangelogTopic;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.FeatureTables;
import dev.tessera.offline.table.IcebergValues;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real path: an in-JVM Kafka broker, the Flink job on a MiniCluster, a SQLite Iceberg catalog.
 * 5,000 events for 25 customers and 5 merchants arrive out of order within the bound, with late
 * and invalid events; two contracts together use every function. Every Iceberg row must equal
 * the brute-force reference at its event time, the DLQ must hold exactly the invalid and late
 * events, and the last changelog value per key must equal the last Iceberg row per key.
 */
@Timeout(300)
class IngestPipelineIT {
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(Path.of("../contracts/examples"));
  static final long T0 = 1_767_225_600_000L;
  static final String TOPIC = "payments.transactions";

  @TempDir Path home;

  @Test
  void kafkaToFlinkToIcebergMatchesTheReference() throws Exception {
    FeatureSetContract activity = REGISTRY.get("customer_activity");
    FeatureSetContract risk = REGISTRY.get("merchant_risk");
    List<String> jsonLines = new ArrayList<>();
    List<byte[]> payloads = payloads(activity.source().schema(), new Random(7), jsonLines);

    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      kafka.createTopic(TOPIC, 1);
      kafka.produce(TOPIC, payloads);
      TesseraConfig config = TesseraConfig.defaults(home, Map.of());

      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
      env.enableCheckpointing(500);
      for (FeatureSetContract c : List.of(activity, risk)) {
        // one pipeline per topic writes the topic's events archive
        IngestJob.define(env, c, new IngestSettings(kafka.bootstrapServers(), "it-" + c.name(), OffsetsInitializer.earliest(),
            true, Set.of(), Duration.ofSeconds(5), config).withArchive(c == activity));
      }
      env.execute("ingest it");

      Map<String, Map<String, List<Object[]>>> fromKafka = new HashMap<>();
      Catalog catalog = Catalogs.open(config);
      FeatureTables tables = new FeatureTables(catalog, config.get(OfflineOptions.NAMESPACE));
      List<ConsumerRecord<byte[], byte[]>> dlq = kafka.readAll(activity.source().dlqTopic());
      for (FeatureSetContract c : List.of(activity, risk)) {
        Expected expected = expected(c, payloads);
        assertThat(expected.rejected.values()).as("the data has invalid and late events").contains("late", "quality_rule", "decode_error");

        // the DLQ holds exactly the invalid and late events, with their reasons
        Map<Long, String> got = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dlq) {
          Map<String, String> h = EmbeddedKafka.headers(r);
          if (h.get("tessera.contract").equals(c.name())) {
            got.put(Long.parseLong(h.get("tessera.source.offset")), h.get("tessera.reason"));
            assertThat(h).containsEntry("tessera.version", c.version().toString()).containsEntry("tessera.source.topic", TOPIC)
                .containsEntry("tessera.source.partition", "0").containsKey("tessera.detail");
            assertThat(r.value()).isEqualTo(payloads.get(Integer.parseInt(h.get("tessera.source.offset"))));
          }
        }
        assertThat(got).as("DLQ of %s", c.name()).isEqualTo(expected.rejected);

        // every Iceberg row equals the reference at its event time
        Map<String, List<Object[]>> rowsByKey = icebergRows(catalog, tables, c);
        assertThat(rowsByKey.keySet()).isEqualTo(expected.accepted.keySet());
        int rows = 0;
        for (var e : rowsByKey.entrySet()) {
          for (Object[] row : e.getValue()) {
            long t = (Long) row[row.length - 1];
            Object[] values = java.util.Arrays.copyOfRange(row, 0, row.length - 1);
            WindowReference.assertValues(values, WindowReference.reference(c, expected.accepted.get(e.getKey()), t), c.name() + " " + e.getKey() + "@" + t);
            rows++;
          }
        }
        assertThat(rows).isGreaterThan(expected.acceptedCount);

        fromKafka.put(c.name(), rowsByKey);
        // the last changelog value per key equals the last Iceberg row per key
        Map<String, Object[]> lastChangelog = lastChangelog(kafka, c);
        for (var e : rowsByKey.entrySet()) {
          Object[] lastRow = e.getValue().get(e.getValue().size() - 1);
          assertThat(lastChangelog.get(e.getKey())).as("changelog of %s %s", c.name(), e.getKey()).containsExactly(lastRow);
        }
      }

      // the same events from a JSON-lines file, without Kafka: the same rows, and a DLQ file
      Path file = home.resolve("events.jsonl");
      java.nio.file.Files.write(file, jsonLines);
      TesseraConfig backfill = TesseraConfig.defaults(home.resolve("backfill"), Map.of());
      StreamExecutionEnvironment batch = StreamExecutionEnvironment.createLocalEnvironment(2);
      batch.enableCheckpointing(500);
      Map<String, IngestPipeline> pipelines = new HashMap<>();
      for (FeatureSetContract c : List.of(activity, risk)) {
        pipelines.put(c.name(), IngestJob.define(batch, c, new IngestSettings(null, "file", OffsetsInitializer.earliest(),
            true, Set.of(), Duration.ofSeconds(5), backfill).withArchive(c == activity), file));
      }
      batch.execute("backfill it");
      Catalog backfillCatalog = Catalogs.open(backfill);
      FeatureTables backfillTables = new FeatureTables(backfillCatalog, backfill.get(OfflineOptions.NAMESPACE));
      for (FeatureSetContract c : List.of(activity, risk)) {
        Map<String, List<Object[]>> fromFile = icebergRows(backfillCatalog, backfillTables, c);
        assertThat(fromFile.keySet()).isEqualTo(fromKafka.get(c.name()).keySet());
        fromFile.forEach((k, rows) -> assertThat(rows).as("file rows of %s %s", c.name(), k)
            .usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(fromKafka.get(c.name()).get(k)));
        Path dlqFile = home.resolve(c.name() + ".dlq.jsonl");
        pipelines.get(c.name()).writeDlqFile(dlqFile);
        Map<Long, String> fileDlq = new TreeMap<>();
        for (String line : java.nio.file.Files.readAllLines(dlqFile)) {
          var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
          fileDlq.put(node.get("line").asLong() - 1, node.get("reason").asText());
        }
        assertThat(fileDlq).as("file DLQ of %s (line = offset + 1)", c.name()).isEqualTo(expected(c, payloads).rejected());
      }
    }
  }

  record Expected(Map<String, List<WindowReference.Event>> accepted, Map<Long, String> rejected, int acceptedCount) {}

  /** Decodes in offset order with the contract's rules and the per-partition lateness rule. */
  static Expected expected(FeatureSetContract c, List<byte[]> payloads) {
    EventDecoder decoder = new EventDecoder(c, Set.of());
    Map<String, List<WindowReference.Event>> accepted = new TreeMap<>();
    Map<Long, String> rejected = new TreeMap<>();
    long bound = c.source().maxOutOfOrderness().toMillis() + 1 + c.source().allowedLateness().toMillis();
    Long max = null;
    int count = 0;
    for (int offset = 0; offset < payloads.size(); offset++) {
      Decoded d = decoder.decode(payloads.get(offset));
      if (d instanceof Decoded.Rejected r) {
        rejected.put((long) offset, r.reason().header());
        continue;
      }
      var event = ((Decoded.Accepted) d).event();
      if (max != null && event.eventTime() <= max - bound) {
        rejected.put((long) offset, "late");
        continue;
      }
      max = max == null ? event.eventTime() : Math.max(max, event.eventTime());
      accepted.computeIfAbsent(SourceEvent.keyText(event.keys()), k -> new ArrayList<>())
          .add(new WindowReference.Event(event.eventTime(), offset * 1024L, event.fields()));
      count++;
    }
    return new Expected(accepted, rejected, count);
  }

  static List<byte[]> payloads(Schema schema, Random r, List<String> jsonLines) throws Exception {
    List<byte[]> out = new ArrayList<>();
    GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(schema);
    String[] countries = {"DE", "FR", "NL", "US", "de"};
    for (int i = 0; i < 5000; i++) {
      if (r.nextInt(100) == 0) {
        out.add(new byte[] {(byte) 0xFF, 1, 2, 3});
        jsonLines.add("{\"transaction_id\": \"t-" + i + "\", broken");
        continue;
      }
      long time = T0 + i * 1500L - r.nextInt(25_000);
      if (r.nextInt(50) == 0) {
        time -= 12 * 60_000L + r.nextInt(600_000); // later than maxOutOfOrderness + allowedLateness
      }
      GenericRecord rec = new GenericData.Record(schema);
      rec.put("transaction_id", "t-" + i);
      rec.put("customer_id", "c-" + r.nextInt(25));
      rec.put("merchant_id", "m-" + r.nextInt(5));
      int q = r.nextInt(100);
      rec.put("amount", q == 0 ? null : q == 1 ? -5.0 : Math.round(r.nextDouble() * 50_000) / 100.0);
      rec.put("country", countries[r.nextInt(r.nextInt(30) == 0 ? 5 : 4)]);
      rec.put("event_time", time);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
      writer.write(rec, enc);
      enc.flush();
      out.add(bytes.toByteArray());
      jsonLines.add(rec.toString());
    }
    return out;
  }

  /** Iceberg rows per key string, oldest first: feature values then event time (millis). */
  static Map<String, List<Object[]>> icebergRows(Catalog catalog, FeatureTables tables, FeatureSetContract c) throws Exception {
    Map<String, List<Object[]>> out = new TreeMap<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(tables.load(c)).build()) {
      for (Record rec : records) {
        Object[] keys = c.entity().keyNames().stream().map(rec::getField).toArray();
        Object[] row = new Object[c.features().size() + 1];
        for (int i = 0; i < c.features().size(); i++) {
          row[i] = IcebergValues.fromIceberg(rec.getField(c.features().get(i).name()));
        }
        row[row.length - 1] = IcebergValues.fromIceberg(rec.getField(FeatureSetContract.EVENT_TIME_COLUMN));
        out.computeIfAbsent(SourceEvent.keyText(keys), k -> new ArrayList<>()).add(row);
      }
    }
    out.values().forEach(l -> l.sort(java.util.Comparator.comparingLong(r -> (Long) r[r.length - 1])));
    for (List<Object[]> rows : out.values()) {
      for (int i = 1; i < rows.size(); i++) {
        assertThat((Long) rows.get(i)[rows.get(i).length - 1]).as("no duplicate rows").isGreaterThan((Long) rows.get(i - 1)[rows.get(i - 1).length - 1]);
      }
    }
    return out;
  }

  /** The latest changelog value per key by (event time, sequence): features then event time. */
  static Map<String, Object[]> lastChangelog(EmbeddedKafka kafka, FeatureSetContract c) throws Exception {
    Map<String, Object[]> out = new HashMap<>();
    ChangelogTopic.latest(kafka, c).forEach((key, v) -> {
      Object[] row = Arrays.copyOf(v.values(), c.features().size() + 1);
      row[row.length - 1] = v.eventTime();
      out.put(SourceEvent.keyText(key.toArray()), row);
    });
    return out;
  }
}
