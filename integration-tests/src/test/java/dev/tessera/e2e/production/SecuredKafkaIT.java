package dev.tessera.e2e.production;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tessera.cli.up.EventGenerator;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.ingest.job.IngestEnvironment;
import dev.tessera.ingest.job.IngestJob;
import dev.tessera.kafka.DeadLetters;
import dev.tessera.kafka.KafkaClients;
import dev.tessera.kafka.Topics;
import dev.tessera.online.lookup.FeatureLookup;
import dev.tessera.online.lookup.FeatureSelection;
import dev.tessera.online.service.OnlineService;
import dev.tessera.testkit.EmbeddedKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tessera against a secured Kafka: the in-JVM broker's client listener is SASL_SSL (TLS with a
 * certificate this test makes, SASL PLAIN), and every Kafka client is configured only through
 * {@code tessera.kafka.*} keys, the password from a file ({@code ${file:...}}). The event generator
 * of {@code tessera up} produces, the ingest job (Flink MiniCluster) reads and writes its changelog
 * and DLQ (the changelog created with 3 partitions from config, each key's rows in one of them),
 * the online service's materializer, readiness and DLQ monitor read: a lookup answers with values. A wrong password, and a client that does not speak TLS, each end in one clear error
 * within seconds instead of a client retrying forever.
 */
@Timeout(300)
class SecuredKafkaIT {
  static final Path EXAMPLES = Path.of("../contracts/examples").toAbsolutePath().normalize();
  static final String PASSWORD = "tessera-secret-7f3a";

  @TempDir Path home;

  @Test
  void everyClientConnectsOverSaslSslAndABadCredentialIsOneClearError() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.saslSsl(home.resolve("tls"), Map.of("tessera", PASSWORD))) {
      TesseraConfig config = config(kafka, PASSWORD);
      KafkaClients clients = KafkaClients.of(config);
      assertThat(clients.describe()).contains("security.protocol=SASL_SSL").contains("sasl.jaas.config=***")
          .contains("ssl.truststore.password=***").doesNotContain(PASSWORD).doesNotContain(kafka.tls().password());
      clients.verify(Duration.ofSeconds(30));

      // a wrong password: UNAUTHENTICATED, naming the brokers, protocol and mechanism, not the password
      long start = System.nanoTime();
      assertThatThrownBy(() -> KafkaClients.of(config(kafka, "not-the-password")).verify(Duration.ofSeconds(30)))
          .isInstanceOfSatisfying(TesseraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED))
          .hasMessageContaining("Cannot authenticate to Kafka at " + kafka.bootstrapServers())
          .hasMessageContaining("security.protocol SASL_SSL, sasl.mechanism PLAIN")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-password"));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
      // the same through the CLI, as a user meets it: tessera ingest with the wrong password is one line and exit 1, no job started
      Path badConfig = home.resolve("bad.properties");
      StringBuilder props = new StringBuilder();
      config(kafka, "not-the-password").values().forEach((k, v) -> props.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
      java.nio.file.Files.writeString(badConfig, props);
      java.io.StringWriter err = new java.io.StringWriter();
      int exit = dev.tessera.cli.Main.run(new String[] {"--home", home.toString(), "--config", badConfig.toString(), "ingest", "--contract",
          EXAMPLES.resolve("customer_activity.yaml").toString()}, new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err));
      assertThat(exit).isEqualTo(1);
      assertThat(err.toString()).contains("Cannot authenticate to Kafka at " + kafka.bootstrapServers()
          + " (security.protocol SASL_SSL, sasl.mechanism PLAIN)").doesNotContain("not-the-password");
      // a plaintext client at the TLS listener: UNAVAILABLE within its timeout, with the hint
      assertThatThrownBy(() -> KafkaClients.plain(kafka.bootstrapServers()).verify(Duration.ofSeconds(8)))
          .isInstanceOfSatisfying(TesseraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
          .hasMessageContaining("does its listener expect this security.protocol?");

      ContractRegistry registry = ContractRegistry.fromDirectory(EXAMPLES).only(c -> c.name().equals("customer_activity"));
      FeatureSetContract activity = registry.get("customer_activity");
      Topics.ensure(clients, activity.source().topic(), false, 2);

      StreamExecutionEnvironment env = IngestEnvironment.environment(config, null);
      env.configure(org.apache.flink.configuration.Configuration.fromMap(Map.of("restart-strategy.type", "none")));
      IngestJob.define(env, activity, IngestEnvironment.settings(config, activity, false));
      JobClient job = env.executeAsync("secured ingest");
      try (OnlineService online = new OnlineService(config, registry, new SimpleMeterRegistry()).start();
          EventGenerator generator = new EventGenerator(clients, registry.all(), 200, 20).start()) {
        await().atMost(Duration.ofSeconds(60)).until(() -> job.getJobStatus().get() == JobStatus.RUNNING);
        await("events produced over SASL_SSL").atMost(Duration.ofSeconds(60)).until(() -> generator.sent() >= 400);
        await("the online service caught up over SASL_SSL").atMost(Duration.ofSeconds(90)).until(() -> online.readiness().ready());
        await("values served from the changelog read over SASL_SSL").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
            .untilAsserted(() -> {
              assertThat(job.getJobStatus().get().isGloballyTerminalState()).as("the ingest job is still running").isFalse();
              long ok = 0;
              for (int i = 1; i <= 20; i++) {
                var r = online.lookups().lookup(FeatureSelection.all(activity), List.of(Map.of("customer_id", "c-" + i))).get(0);
                FeatureLookup.Result res = r.featureSets().get("customer_activity");
                if (res.status() == FeatureLookup.Status.OK && ((Number) res.values().get("txn_count_1h")).longValue() > 0) {
                  ok++;
                }
              }
              assertThat(ok).as("customers c-1..c-20 answered OK with counted transactions").isGreaterThanOrEqualTo(10);
            });
        // the changelog has the configured 3 partitions, and every key's rows stay in one of them (ordering per key kept)
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(dev.tessera.kafka.Consumers.bytes(clients))) {
          var partitions = consumer.partitionsFor(activity.changelogTopic(), Duration.ofSeconds(10)).stream()
              .map(p -> new org.apache.kafka.common.TopicPartition(activity.changelogTopic(), p.partition())).toList();
          assertThat(partitions).hasSize(3);
          consumer.assign(partitions);
          consumer.seekToBeginning(partitions);
          Map<Integer, Long> endOffsets = new HashMap<>();
          consumer.endOffsets(partitions).forEach((tp, o) -> endOffsets.put(tp.partition(), o));
          Map<String, java.util.Set<Integer>> partitionsOfKey = new HashMap<>();
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          while (partitions.stream().anyMatch(tp -> consumer.position(tp) < endOffsets.get(tp.partition())) && System.nanoTime() < deadline) {
            for (var r : consumer.poll(Duration.ofMillis(200))) {
              if (!dev.tessera.kafka.ChangelogRecords.isSchemaRecord(r.headers()) && r.offset() < endOffsets.get(r.partition())) {
                partitionsOfKey.computeIfAbsent(java.util.HexFormat.of().formatHex(r.key()), k -> new java.util.TreeSet<>()).add(r.partition());
              }
            }
          }
          assertThat(partitionsOfKey).hasSizeGreaterThanOrEqualTo(10);
          assertThat(partitionsOfKey.values()).allSatisfy(p -> assertThat(p).hasSize(1));
          assertThat(partitionsOfKey.values().stream().flatMap(java.util.Set::stream).distinct().count()).as("keys spread over partitions")
              .isGreaterThan(1);
        }
        // the generator's invalid events (null amounts) reached the DLQ through the job's producer, read back over SASL_SSL
        await("rejected events in the DLQ").atMost(Duration.ofSeconds(60))
            .until(() -> !DeadLetters.read(clients, activity.source().dlqTopic(), 0, d -> true).isEmpty());
      } finally {
        job.cancel().get();
      }
    }
  }

  /** Everything through tessera.* keys: the brokers, SASL_SSL, the credential from a file, the truststore. */
  TesseraConfig config(EmbeddedKafka kafka, String password) throws Exception {
    Path jaas = Files.writeString(home.resolve("kafka-jaas-" + password.hashCode()),
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"tessera\" password=\"" + password + "\";\n");
    Map<String, String> m = new HashMap<>();
    m.put("tessera.contracts.dir", EXAMPLES.toString());
    m.put("tessera.kafka.bootstrap-servers", kafka.bootstrapServers());
    m.put("tessera.kafka.security.protocol", "SASL_SSL");
    m.put("tessera.kafka.sasl.mechanism", "PLAIN");
    m.put("tessera.kafka.sasl.jaas.config", "${file:" + jaas + "}");
    m.put("tessera.kafka.ssl.truststore.location", kafka.tls().truststore().toString());
    m.put("tessera.kafka.ssl.truststore.password", kafka.tls().password());
    m.put("tessera.kafka.ssl.truststore.type", "PKCS12");
    m.put("tessera.online.lag-interval", "500ms");
    m.put("tessera.ingest.changelog-partitions", "3");
    return TesseraConfig.defaults(home, m);
  }
}
