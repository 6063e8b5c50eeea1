package dev.tessera.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.rows.EntityKeys;
import dev.tessera.contracts.rows.WriterSchemas;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.online.materialize.MaterializerSupervisor;
import dev.tessera.online.store.RedisOnlineStore;
import dev.tessera.online.store.StoredRow;
import dev.tessera.testkit.ChangelogSeeder;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.testkit.NewestRows;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis restarted (kill -9, then started again on its append-only file) and {@code SCRIPT FLUSH}
 * under a running materializer: the store recovers by itself within seconds, every key ends at its
 * newest changelog row (none lost), stale rows sent after the recovery replace nothing (the
 * idempotence rule still holds, so replayed batches double nothing), and a lookup while Redis is
 * down fails at once as UNAVAILABLE instead of hanging. A private redis-server: the machine's own
 * is never killed.
 */
@Timeout(240)
class RedisFaultsIT {
  static final FeatureSetContract C = ContractRegistry.fromDirectory(UpProcess.ROOT.resolve("contracts/examples")).get("customer_activity");
  static final int KEYS = 300;

  static {
    // this module's classpath mixes netty 4.1 (S3 proxy's Azure client) with lettuce's 4.2: keep lettuce on NIO
    System.setProperty("io.lettuce.core.epoll", "false");
  }

  @TempDir Path dir;
  Process redis;
  int port;
  final NewestRows rows = new NewestRows(C, KEYS, 7, 1_767_225_600_000L);
  final Map<String, ChangelogSeeder.Row> newest = rows.newest();

  @AfterEach
  void stopRedis() {
    if (redis != null) {
      redis.destroyForcibly();
    }
  }

  @Test
  void restartAndScriptFlushLoseAndDoubleNothing() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    startRedis();
    try (EmbeddedKafka kafka = new EmbeddedKafka();
        RedisOnlineStore store = new RedisOnlineStore(uri(), "faults:");
        RedisOnlineStore replica = new RedisOnlineStore(uri(), "faults:")) {
      ChangelogSeeder seeder = new ChangelogSeeder(kafka).createTopics(List.of(C), 2);
      try (MaterializerSupervisor materializer = MaterializerSupervisor.of(kafka.bootstrapServers(), List.of(C), store,
          new WriterSchemas(), "faults-materializer", (topic, eventTime, at) -> {}).start()) {
        seeder.send(rows.rows(3_000, false));
        awaitCaughtUp(kafka, replica);
        assertNewest(seeder, replica);

        // SCRIPT FLUSH: the next write finds NOSCRIPT, loads the script again and goes on
        redisCli("SCRIPT", "FLUSH");
        seeder.send(rows.rows(3_000, false));
        awaitCaughtUp(kafka, replica);
        assertNewest(seeder, replica);

        // kill -9 while rows arrive; a lookup meanwhile fails at once; then the same Redis comes back on its AOF
        seeder.send(rows.rows(1_500, false));
        new ProcessBuilder("kill", "-9", Long.toString(redis.pid())).start().waitFor();
        redis.waitFor();
        seeder.send(rows.rows(1_500, false));
        byte[] someKey = EntityKeys.encode(C, Map.of("customer_id", "c-1"));
        assertThatThrownBy(() -> replica.get(C.changelogTopic(), someKey))
            .isInstanceOfSatisfying(TesseraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        Thread.sleep(2_000);
        startRedis();
        long restarted = System.nanoTime();
        awaitCaughtUp(kafka, replica);
        System.out.printf("caught up %.1f s after Redis came back%n", (System.nanoTime() - restarted) / 1e9);
        assertNewest(seeder, replica);

        // stale rows (older than each key's newest) after both faults: applied, and they replace nothing
        seeder.send(rows.rows(2_000, true));
        awaitCaughtUp(kafka, replica);
        assertNewest(seeder, replica);
        assertThat(redisCli("EVAL", "return #redis.call('KEYS', ARGV[1])", "0", "faults:d|*").trim())
            .as("one hash per entity, nothing written twice under another key").isEqualTo(Integer.toString(newest.size()));
      }
    }
  }


  private void assertNewest(ChangelogSeeder seeder, RedisOnlineStore replica) {
    for (var e : newest.entrySet()) {
      StoredRow stored = replica.get(C.changelogTopic(), EntityKeys.encode(C, Map.of("customer_id", e.getKey()))).orElseThrow();
      assertThat(stored.eventTime()).as("event time of " + e.getKey()).isEqualTo(e.getValue().eventTime());
      assertThat(stored.sequence()).as("sequence of " + e.getKey()).isEqualTo(e.getValue().sequence());
      assertThat(stored.value()).as("value of " + e.getKey()).isEqualTo(seeder.value(e.getValue()));
    }
  }

  /** Until the offsets stored with the data reach the end of every changelog partition (Redis may be back or not yet). */
  private void awaitCaughtUp(EmbeddedKafka kafka, RedisOnlineStore replica) throws Exception {
    Map<Integer, Long> end = new HashMap<>();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      for (int p = 0; p < 2; p++) {
        TopicPartition tp = new TopicPartition(C.changelogTopic(), p);
        end.put(p, admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset());
      }
    }
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> replica.offsets(C.changelogTopic()).equals(end));
  }

  private String uri() {
    return "redis://127.0.0.1:" + port;
  }

  private void startRedis() throws Exception {
    redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
        "--appendonly", "yes", "--appendfsync", "always", "--save", "").redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile()).start();
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> redisCli("PING").trim().equals("PONG"));
  }

  private String redisCli(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("redis-cli " + cmd + ": " + out);
    }
    return out;
  }
}
