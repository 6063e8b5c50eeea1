package dev.tessera.e2e.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tessera.bench.IngestKills;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.sdk.FeatureVector;
import dev.tessera.sdk.TesseraClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The compose file users run (containers/compose.yaml), as they run it: {@code docker-compose up}
 * from the project's images, events produced from the host to the published Kafka port, features
 * served on the published online port equal to what the events say (count, newest country and
 * time per key), then {@code down -v}, which removes the containers, the network and the volumes.
 */
@Timeout(600)
class ComposeContainerIT {
  static final Path COMPOSE = ContainerStack.ROOT.resolve("containers/compose.yaml");
  static final FeatureSetContract C = ContractRegistry.fromDirectory(ContainerStack.CONTRACTS).get("customer_activity");

  @Test
  void theComposeStackServesFeaturesOfEventsProducedFromTheHost() throws Exception {
    String project = "tessera-it-" + Long.toHexString(System.nanoTime());
    int kafkaPort = ContainerStackPorts.free();
    int onlinePort = ContainerStackPorts.free();
    Map<String, String> env = Map.of("TESSERA_KAFKA_PORT", Integer.toString(kafkaPort), "TESSERA_PORT", Integer.toString(onlinePort));
    Path log = Files.createTempFile("compose", ".log");
    try {
      compose(project, env, log, Duration.ofMinutes(2), "up", "-d");
      Map<String, List<long[]>> byKey = new HashMap<>();
      IngestKills.Events events = new IngestKills.Events(C, new Random(5), 2, byKey);
      Random random = new Random(6);
      long t0 = System.currentTimeMillis() - Duration.ofHours(2).toMillis();
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        records.add(events.event(random.nextInt(50), t0 + i * 1_000L, true));
      }
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + kafkaPort);
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "120000");
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
        for (var r : records) {
          producer.send(r);
        }
        producer.flush();
      }
      // every event lies within the last hour of its key's newest one: once served, txn_count_1h is the key's event
      // count, last_country its newest event's country, the event time its newest event's time
      String[] countries = {"DE", "FR", "NL", "US"};
      try (TesseraClient client = TesseraClient.builder().baseUrl("http://localhost:" + onlinePort).apiKey("compose-key").build()) {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
          for (int k = 0; k < 50; k += 7) {
            List<long[]> mine = byKey.get("c-" + k);
            long[] newest = mine.get(mine.size() - 1);
            FeatureVector v = client.get(C.name(), Map.of("customer_id", "c-" + k));
            assertThat(v.ok()).as("c-%d served", k).isTrue();
            assertThat(v.eventTime().toEpochMilli()).as("c-%d event time", k).isEqualTo(newest[0]);
            assertThat(v.getLong("txn_count_1h")).as("c-%d txn_count_1h", k).isEqualTo(mine.size());
            assertThat(v.getString("last_country")).as("c-%d last_country", k).isEqualTo(countries[(int) newest[3]]);
          }
        });
      }
    } catch (AssertionError | Exception e) {
      compose(project, env, log, Duration.ofMinutes(1), "logs", "--tail", "40");
      throw new AssertionError(e.getMessage() + "\ncompose output:\n" + Files.readString(log), e);
    } finally {
      compose(project, env, log, Duration.ofMinutes(2), "down", "-v", "--remove-orphans");
    }
  }

  private static void compose(String project, Map<String, String> env, Path log, Duration timeout, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("docker-compose", "-p", project, "-f", COMPOSE.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    Process process = pb.start();
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("docker-compose " + String.join(" ", args) + " did not end within " + timeout + ":\n" + Files.readString(log));
    }
    assertThat(process.exitValue()).as("docker-compose %s:\n%s", String.join(" ", args), Files.readString(log)).isZero();
  }

  /** Free ports on the host for the published ones. */
  static final class ContainerStackPorts {
    static int free() throws Exception {
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        return s.getLocalPort();
      }
    }
  }
}
