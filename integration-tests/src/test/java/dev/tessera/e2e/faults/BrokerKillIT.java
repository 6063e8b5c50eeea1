package dev.tessera.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.bench.IngestKills;
import dev.tessera.cli.up.KafkaBroker;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.testkit.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker (a child JVM, as under {@code tessera up}) killed with -9 while the real
 * {@code tessera ingest} JVM works through 100k events, then started again on its data: the same
 * ingest process recovers by Flink's restart strategy, without a person (it completes checkpoints
 * again), and nothing is lost: after it is run to the end of the topic, Iceberg holds exactly the
 * rows of an uninterrupted run (0 lost, 0 duplicated) and the changelog's last value per key is the
 * last Iceberg row.
 */
@Timeout(600)
class BrokerKillIT {
  @TempDir Path home;

  @Test
  void theJobRecoversByItselfAndLosesNothing() throws Exception {
    FeatureSetContract c = ContractRegistry.fromDirectory(UpProcess.ROOT.resolve("contracts/examples")).get("customer_activity");
    int brokerPort = UpProcess.freePort();
    int controllerPort = UpProcess.freePort();
    Path kafkaDir = home.resolve("kafka");
    KafkaBroker broker = KafkaBroker.start(kafkaDir, brokerPort, controllerPort, Duration.ofSeconds(120));
    Process ingest = null;
    try {
      String bootstrap = broker.bootstrapServers();
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        admin.createTopics(List.of(new NewTopic(c.source().topic(), 2, (short) 1))).all().get();
        EmbeddedKafka.awaitLeaders(admin, List.of(c.source().topic()));
      }
      Map<String, List<long[]>> byKey = new HashMap<>();
      IngestKills.Events events = new IngestKills.Events(c, new Random(5), 2, byKey);
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      Random random = new Random(6);
      long t0 = System.currentTimeMillis() - Duration.ofDays(1).toMillis();
      for (int i = 0; i < 100_000; i++) {
        records.add(events.event(random.nextInt(1000), t0 + i * 50L, true));
      }
      try (EmbeddedKafka.CheckedProducer producer = new EmbeddedKafka.CheckedProducer(bootstrap)) {
        producer.send(records);
      }
      Files.writeString(home.resolve("tessera.properties"), String.join("\n",
          "tessera.kafka.bootstrap-servers=" + bootstrap,
          "tessera.contracts.dir=" + UpProcess.ROOT.resolve("contracts/examples"),
          "tessera.ingest.checkpoint-interval=1s",
          "tessera.ingest.idle-timeout=2s",
          "tessera.ingest.parallelism=2",
          "tessera.ingest.start-from=earliest", "") + "\n");
      Path contract = UpProcess.ROOT.resolve("contracts/examples/customer_activity.yaml");

      ingest = IngestKills.ingest(home, contract, null, false);
      IngestKills.awaitCheckpoint(home, System.currentTimeMillis() - 1, ingest);
      Thread.sleep(1_500); // records, checkpoints and changelog transactions in flight
      broker.kill();
      Thread.sleep(5_000);
      long restarted = System.currentTimeMillis();
      broker = KafkaBroker.start(kafkaDir, brokerPort, controllerPort, Duration.ofSeconds(120));
      // the same process: Flink's restart strategy brings the job back, it completes checkpoints again
      Path after = IngestKills.awaitCheckpoint(home, restarted, ingest);
      System.out.printf("ingest completed %s %.1f s after the broker came back%n", home.relativize(after),
          (System.currentTimeMillis() - restarted) / 1e3);
      assertThat(ingest.isAlive()).isTrue();

      // run to the end of the topic from the latest checkpoint, then compare
      new ProcessBuilder("kill", "-9", Long.toString(ingest.pid())).start().waitFor();
      ingest.waitFor();
      Path resume = IngestKills.latestCheckpoint(home).orElseThrow();
      Process last = IngestKills.ingest(home, contract, resume, true);
      assertThat(last.waitFor(5, TimeUnit.MINUTES)).as("the final bounded run finished").isTrue();
      assertThat(last.exitValue()).as(Files.readString(home.resolve("ingest.log"))).isZero();

      IngestKills.Result r = IngestKills.compare(home, c, byKey, broker.bootstrapServers(), List.of());
      System.out.println(r);
      assertThat(r.lost()).as("rows lost").isZero();
      assertThat(r.duplicated()).as("rows duplicated").isZero();
      assertThat(r.rows()).isEqualTo(r.expectedRows()).isPositive();
      assertThat(r.changelogMismatches()).as("keys whose last changelog value is not their last Iceberg row").isZero();
    } finally {
      if (ingest != null) {
        ingest.destroyForcibly();
      }
      broker.close();
    }
  }
}
