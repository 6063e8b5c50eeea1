package dev.tessera.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.ingest.job.IngestJob;
import dev.tessera.ingest.job.IngestSettings;
import dev.tessera.online.lookup.FeatureLookup;
import dev.tessera.online.materialize.ChangelogMaterializer;
import dev.tessera.contracts.rows.RowValues;
import dev.tessera.contracts.rows.WriterSchema;
import dev.tessera.contracts.rows.WriterSchemas;
import dev.tessera.online.store.OnlineStore;
import dev.tessera.testkit.ChangelogSeeder;
import dev.tessera.testkit.ChangelogTopic;
import dev.tessera.testkit.ExampleContracts;
import dev.tessera.online.store.RedisOnlineStore;
import dev.tessera.online.store.RocksDbOnlineStore;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The changelog written by the real ingest job, materialised into RocksDB and into Redis: every key's lookup
 * equals its latest changelog row (higher event time, then sequence), TTL and missing keys give
 * EXPIRED and MISSING, and after a restart the store resumes from its stored offsets without a
 * replay.
 */
@Timeout(300)
class OnlineMaterializationIT {
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(Path.of("../contracts/examples"));
  static final long T0 = 1_767_225_600_000L;
  @TempDir Path home;

  final String redisPrefix = "tessera-it:" + Long.toHexString(System.nanoTime()) + ":";

  @org.junit.jupiter.api.AfterEach
  void deleteRedisKeys() {
    Redis.deletePrefix(dev.tessera.testkit.MachineServices.REDIS_URI, redisPrefix);
  }

  OnlineStore open(String store) {
    if (store.equals("rocksdb")) {
      return new RocksDbOnlineStore(home.resolve("online"));
    }
    dev.tessera.testkit.MachineServices.requireRedis();
    return new RedisOnlineStore(dev.tessera.testkit.MachineServices.REDIS_URI, redisPrefix);
  }

  /** RocksDB: every replica reads every partition; Redis: a consumer group writes the shared store. */
  ChangelogMaterializer materializer(String storeKind, String bootstrap, FeatureSetContract c, OnlineStore store, WriterSchemas schemas) {
    return storeKind.equals("rocksdb") ? ChangelogMaterializer.allPartitions(bootstrap, List.of(c), store, schemas)
        : ChangelogMaterializer.consumerGroup(bootstrap, List.of(c), store, schemas, redisPrefix + "materializer");
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"rocksdb", "redis"})
  void changelogToStoreToLookups(String storeKind) throws Exception {
    FeatureSetContract c = REGISTRY.get("customer_activity");
    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      kafka.createTopic(c.source().topic(), 1);
      kafka.produce(c.source().topic(), events(c.source().schema(), 600, 12));
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
      env.enableCheckpointing(500);
      IngestJob.define(env, c, new IngestSettings(kafka.bootstrapServers(), "online-it", OffsetsInitializer.earliest(), true,
          Set.of(), Duration.ofSeconds(5), TesseraConfig.defaults(home, Map.of())));
      env.execute("ingest for online");

      Map<String, RowValues> latest = new HashMap<>();
      ChangelogTopic.latest(kafka, c).forEach((k, v) -> latest.put((String) k.get(0), v));
      assertThat(latest).hasSize(12);
      long total;
      WriterSchemas schemas = new WriterSchemas();
      try (OnlineStore store = open(storeKind);
          ChangelogMaterializer materializer = materializer(storeKind, kafka.bootstrapServers(), c, store, schemas)) {
        total = materializer.catchUp(Duration.ofSeconds(60));
        assertThat(total).isGreaterThan(600);
        assertThat(store.schemas()).extracting(WriterSchema::id).containsExactly("customer_activity@1.0.0");
        FeatureLookup lookup = new FeatureLookup(store, schemas);
        for (var e : latest.entrySet()) {
          long eventTime = e.getValue().eventTime();
          FeatureLookup.Result r = lookup.lookup(c, Map.of("customer_id", e.getKey()), eventTime + 1000);
          assertThat(r.status()).isEqualTo(FeatureLookup.Status.OK);
          assertThat(r.eventTime()).isEqualTo(eventTime);
          assertThat(r.ageMs()).isEqualTo(1000);
          assertThat(r.missing()).isEmpty();
          assertThat(r.rowVersion()).isEqualTo("1.0.0");
          for (int f = 0; f < c.features().size(); f++) {
            assertThat(r.values().get(c.featureNames().get(f))).as("%s of %s", c.featureNames().get(f), e.getKey())
                .isEqualTo(e.getValue().values()[f]);
          }
          FeatureLookup.Result old = lookup.lookup(c, Map.of("customer_id", e.getKey()), eventTime + c.ttl().toMillis() + 1);
          assertThat(old.status()).isEqualTo(FeatureLookup.Status.EXPIRED);
          assertThat(old.values().values()).as("never a stale number").containsOnlyNulls();
        }
        assertThat(lookup.lookup(c, Map.of("customer_id", "c-404"), T0).status()).isEqualTo(FeatureLookup.Status.MISSING);

        // the rows 1.0.0 wrote, read under 1.1.0 (a feature inserted in the middle): by name, the new one missing with a reason
        FeatureSetContract v110 = ExampleContracts.activityWithTenMinuteCount(home.resolve("v110"));
        FeatureLookup newer = new FeatureLookup(store, schemas);
        for (var e : latest.entrySet()) {
          FeatureLookup.Result r = newer.lookup(v110, Map.of("customer_id", e.getKey()), e.getValue().eventTime() + 1000);
          assertThat(r.status()).isEqualTo(FeatureLookup.Status.OK);
          assertThat(r.rowVersion()).isEqualTo("1.0.0");
          assertThat(r.missing()).containsExactly(Map.entry("txn_count_10m", "NOT_IN_ROW_VERSION"));
          assertThat(r.values().get("txn_count_10m")).isNull();
          for (int f = 0; f < c.features().size(); f++) {
            assertThat(r.values().get(c.featureNames().get(f))).isEqualTo(e.getValue().values()[f]);
          }
        }
        // once 1.1.0 rows arrive, the same replica serves them in full
        ChangelogSeeder seeder = new ChangelogSeeder(kafka);
        seeder.publishSchema(v110);
        String someKey = latest.keySet().iterator().next();
        long later = latest.get(someKey).eventTime() + 60_000;
        seeder.send(new ChangelogSeeder.Row(v110, Map.of("customer_id", someKey),
            Map.of("txn_count_1h", 5L, "txn_count_10m", 2L, "last_country", "NL"), later, 1));
        total += materializer.catchUp(Duration.ofSeconds(30));
        FeatureLookup.Result after = newer.lookup(v110, Map.of("customer_id", someKey), later + 1000);
        assertThat(after.rowVersion()).isEqualTo("1.1.0");
        assertThat(after.missing()).isEmpty();
        assertThat(after.values()).containsEntry("txn_count_10m", 2L).containsEntry("txn_count_1h", 5L);
        // and a 1.0.0 reader skips the feature it does not know
        assertThat(lookup.lookup(c, Map.of("customer_id", someKey), later + 1000).values()).containsEntry("txn_count_1h", 5L)
            .doesNotContainKey("txn_count_10m");
        assertThat(store.schemas()).extracting(WriterSchema::id).containsExactlyInAnyOrder("customer_activity@1.0.0", "customer_activity@1.1.0");
        assertThatThrownBy(() -> lookup.lookup(c, Map.of("customer", "c-1"), T0))
            .hasMessage("Cannot look up customer_activity: missing key 'customer_id' (keys: [customer_id])");
      }
      // a restart reads nothing again: it resumes from the offsets stored with the data
      try (OnlineStore store = open(storeKind);
          ChangelogMaterializer materializer = materializer(storeKind, kafka.bootstrapServers(), c, store, new WriterSchemas(store::schema))) {
        assertThat(materializer.catchUp(Duration.ofSeconds(30))).isZero();
        assertThat(store.offsets(c.changelogTopic()).get(0)).as("rows and schema records").isEqualTo(total);
        String someKey = latest.keySet().stream().skip(1).findFirst().orElseThrow(); // not the key 1.1.0 rewrote
        // a fresh reader finds the writer schema in the store: the schema record is behind the stored offset
        FeatureLookup.Result again = new FeatureLookup(store, new WriterSchemas(store::schema))
            .lookup(c, Map.of("customer_id", someKey), latest.get(someKey).eventTime());
        assertThat(again.status()).isEqualTo(FeatureLookup.Status.OK);
        assertThat(again.values().values()).containsExactly(latest.get(someKey).values());
      }
    }
  }

  static List<byte[]> events(Schema schema, int n, int keys) throws Exception {
    Random r = new Random(9);
    List<byte[]> out = new ArrayList<>();
    GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(schema);
    for (int i = 0; i < n; i++) {
      GenericRecord rec = new GenericData.Record(schema);
      rec.put("transaction_id", "t-" + i);
      rec.put("customer_id", "c-" + r.nextInt(keys));
      rec.put("merchant_id", "m-1");
      rec.put("amount", Math.round(r.nextDouble() * 10_000) / 100.0);
      rec.put("country", "DE");
      rec.put("event_time", T0 + i * 20_000L - r.nextInt(10_000));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
      writer.write(rec, enc);
      enc.flush();
      out.add(bytes.toByteArray());
    }
    return out;
  }
}
