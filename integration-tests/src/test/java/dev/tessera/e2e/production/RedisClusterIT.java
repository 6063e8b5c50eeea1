package dev.tessera.e2e.production;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tessera.config.OnlineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.rows.EntityKeys;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.online.lookup.FeatureLookup;
import dev.tessera.online.lookup.FeatureSelection;
import dev.tessera.online.service.OnlineService;
import dev.tessera.online.store.RedisOnlineStore;
import dev.tessera.online.store.StoredRow;
import dev.tessera.testkit.ChangelogSeeder;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.testkit.NewestRows;
import dev.tessera.testkit.RedisClusterProcesses;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis store on a real Redis Cluster (issue 19, part 5): three masters with a replica each,
 * private {@code redis-server} processes. The online service, configured with {@code
 * tessera.online.redis.mode=cluster} and a seed list, materializes a 3-partition changelog; the
 * data keys are spread over every master (hash tags per slot group, so each compare-and-set
 * script touches one slot). One master is killed with -9 while rows arrive: its replica is
 * promoted, the materializer retries from the offsets stored per slot group, every key ends at its
 * newest row (nothing lost), lookups answer again, stale rows replace nothing (idempotent), and no
 * key is written twice. A store opened with another slot-group count refuses, naming the kept one.
 */
@Timeout(300)
class RedisClusterIT {
  static final Path EXAMPLES = Path.of("../contracts/examples").toAbsolutePath().normalize();
  static final FeatureSetContract C = ContractRegistry.fromDirectory(EXAMPLES).get("customer_activity");
  static final int KEYS = 400;
  static final int PARTITIONS = 3;
  /** Recent event times, so that lookups find the rows within the contract's TTL. */
  static final long START = System.currentTimeMillis() - 600_000;

  static {
    System.setProperty("io.lettuce.core.epoll", "false");
  }

  @TempDir Path dir;
  final NewestRows rows = new NewestRows(C, KEYS, 19, START);
  final Map<String, ChangelogSeeder.Row> newest = rows.newest();

  @Test
  void materializesAcrossMastersAndSurvivesAFailover() throws Exception {
    try (RedisClusterProcesses cluster = new RedisClusterProcesses(dir.resolve("redis"), 3);
        EmbeddedKafka kafka = new EmbeddedKafka()) {
      ChangelogSeeder seeder = new ChangelogSeeder(kafka).createTopics(List.of(C), PARTITIONS);
      Map<String, String> m = new HashMap<>();
      m.put("tessera.contracts.dir", EXAMPLES.toString());
      m.put("tessera.kafka.bootstrap-servers", kafka.bootstrapServers());
      m.put("tessera.online.store", "redis");
      m.put("tessera.online.redis.mode", "cluster");
      m.put("tessera.online.redis.uri", cluster.seeds());
      m.put("tessera.online.redis.prefix", "cl:");
      m.put("tessera.online.lag-interval", "500ms");
      TesseraConfig config = TesseraConfig.defaults(dir.resolve("home"), m);
      ContractRegistry registry = ContractRegistry.fromDirectory(EXAMPLES).only(c -> c.name().equals("customer_activity"));

      try (OnlineService online = new OnlineService(config, registry, new SimpleMeterRegistry()).start();
          RedisOnlineStore reader = new RedisOnlineStore(OnlineOptions.RedisMode.CLUSTER, cluster.seeds(), "cl:", 64)) {
        seeder.send(rows.rows(4_000, false));
        awaitCaughtUp(kafka, reader);
        assertNewest(seeder, reader);
        List<Integer> masters = cluster.masters();
        assertThat(masters).hasSize(3);
        Map<Integer, Long> keysPerMaster = new HashMap<>();
        for (int port : masters) {
          keysPerMaster.put(port, countDataKeys(cluster, port));
        }
        System.out.println("data keys per master: " + keysPerMaster);
        assertThat(keysPerMaster.values()).as("every master holds some of the keys").allMatch(n -> n > 0);
        assertThat(keysPerMaster.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(newest.size());

        // kill -9 of the master holding the most keys, while rows arrive
        int victim = keysPerMaster.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        seeder.send(rows.rows(2_000, false));
        cluster.kill9(victim);
        long killed = System.nanoTime();
        seeder.send(rows.rows(2_000, false));
        cluster.awaitFailover(victim, 3, Duration.ofSeconds(60));
        System.out.printf("replica promoted %.1f s after the kill%n", (System.nanoTime() - killed) / 1e9);
        assertThat(cluster.masters()).as("a replica took over").hasSize(3).doesNotContain(victim);
        awaitCaughtUp(kafka, reader);
        System.out.printf("caught up %.1f s after the kill%n", (System.nanoTime() - killed) / 1e9);
        assertNewest(seeder, reader);

        // the serving path answers every key with its newest value
        await("lookups answer after the failover").atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
          for (var e : newest.entrySet()) {
            var r = online.lookups().lookup(FeatureSelection.all(C), List.of(Map.of("customer_id", e.getKey()))).get(0);
            FeatureLookup.Result res = r.featureSets().get("customer_activity");
            assertThat(res.status()).isEqualTo(FeatureLookup.Status.OK);
            assertThat(((Number) res.values().get("txn_count_1h")).longValue()).isEqualTo(e.getValue().values().get("txn_count_1h"));
          }
        });

        // stale rows after the failover replace nothing; no key is written twice under another name
        seeder.send(rows.rows(2_000, true));
        awaitCaughtUp(kafka, reader);
        assertNewest(seeder, reader);
        long total = 0;
        for (int port : cluster.masters()) {
          total += countDataKeys(cluster, port);
        }
        assertThat(total).as("one hash per entity over all masters").isEqualTo(newest.size());
      }

      // the slot-group count is part of the layout: another count refuses to open, naming the kept one
      assertThatThrownBy(() -> new RedisOnlineStore(OnlineOptions.RedisMode.CLUSTER, cluster.seeds(), "cl:", 8))
          .isInstanceOfSatisfying(TesseraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
          .hasMessageContaining("tessera.online.redis.slot-groups=8")
          .hasMessageContaining("written with 64 slot groups");
    }
  }

  private static long countDataKeys(RedisClusterProcesses cluster, int port) throws Exception {
    return Long.parseLong(cluster.cli(port, "EVAL", "return #redis.call('KEYS', ARGV[1])", "0", "cl:d|*").trim());
  }


  private void assertNewest(ChangelogSeeder seeder, RedisOnlineStore reader) {
    List<String> names = new ArrayList<>(newest.keySet());
    List<byte[]> keys = names.stream().map(k -> EntityKeys.encode(C, Map.of("customer_id", k))).toList();
    List<StoredRow> stored = reader.getAll(C.changelogTopic(), keys);
    for (int i = 0; i < names.size(); i++) {
      ChangelogSeeder.Row want = newest.get(names.get(i));
      assertThat(stored.get(i)).as("row of " + names.get(i)).isNotNull();
      assertThat(stored.get(i).eventTime()).as("event time of " + names.get(i)).isEqualTo(want.eventTime());
      assertThat(stored.get(i).sequence()).as("sequence of " + names.get(i)).isEqualTo(want.sequence());
      assertThat(stored.get(i).value()).as("value of " + names.get(i)).isEqualTo(seeder.value(want));
    }
  }

  /** Until the offsets stored with the data (lowest over the slot groups) reach the end of every partition. */
  private void awaitCaughtUp(EmbeddedKafka kafka, RedisOnlineStore reader) throws Exception {
    Map<Integer, Long> end = new HashMap<>();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      for (int p = 0; p < PARTITIONS; p++) {
        TopicPartition tp = new TopicPartition(C.changelogTopic(), p);
        end.put(p, admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset());
      }
    }
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> reader.offsets(C.changelogTopic()).equals(end));
  }
}
