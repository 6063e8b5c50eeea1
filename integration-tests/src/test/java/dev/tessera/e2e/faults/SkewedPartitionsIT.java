package dev.tessera.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.bench.IngestKills;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.ingest.decode.LatenessRule;
import dev.tessera.testkit.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One source partition 10 minutes of event time behind the other, both read by one subtask
 * (parallelism 1), through the real {@code tessera ingest} JVM: the job finishes without a failure
 * loop (the job's watermark follows the lagging partition, so none of its events reaches a final
 * window), the events late by the documented rule (per partition: at or before its latest time
 * minus maxOutOfOrderness, 1 ms and allowedLateness) and only those are in the DLQ, and the rows
 * equal the window logic's over the accepted events. allowedLateness is 2m here, so that a job
 * watermark taken from the leading partition would make the lagging one's events late.
 */
@Timeout(300)
class SkewedPartitionsIT {
  static final Duration LAG = Duration.ofMinutes(10);

  @TempDir Path home;

  @Test
  void aLaggingPartitionOnTheSameSubtaskLoopsNotAndLosesNothing() throws Exception {
    Path contracts = Files.createDirectories(home.resolve("contracts"));
    Path examples = UpProcess.ROOT.resolve("contracts/examples");
    Files.copy(examples.resolve("transaction.avsc"), contracts.resolve("transaction.avsc"));
    Files.writeString(contracts.resolve("customer_activity.yaml"), Files.readString(examples.resolve("customer_activity.yaml"))
        .replace("allowedLateness: 10m", "allowedLateness: 2m"));
    FeatureSetContract c = ContractRegistry.fromDirectory(contracts).get("customer_activity");
    assertThat(c.source().allowedLateness()).isEqualTo(Duration.ofMinutes(2));
    LatenessRule rule = new LatenessRule(c);

    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      kafka.createTopic(c.source().topic(), 2);
      Files.writeString(home.resolve("tessera.properties"), String.join("\n",
          "tessera.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
          "tessera.contracts.dir=" + contracts,
          "tessera.ingest.checkpoint-interval=2s",
          "tessera.ingest.parallelism=1",
          "tessera.ingest.start-from=earliest", "") + "\n");

      // partition 0 from t0 to t0 + 30 min; partition 1 the same span, 10 minutes behind; every 500th
      // event of partition 1 is late by the rule (before its own partition's horizon)
      Random random = new Random(3);
      Map<String, List<long[]>> byKey = new HashMap<>();
      IngestKills.Events events = new IngestKills.Events(c, random, 2, byKey);
      long t0 = System.currentTimeMillis() - Duration.ofDays(1).toMillis();
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      Set<Long> lateOffsets = new HashSet<>();
      long maxSeen1 = Long.MIN_VALUE;
      long offset1 = 0;
      for (int i = 0; i < 36_000; i++) {
        int partition = i % 2;
        int customer = random.nextInt(300) * 2 + partition;
        long time = t0 + (i / 2) * 100L - (partition == 1 ? LAG.toMillis() : 0);
        boolean late = partition == 1 && i % 1000 == 1 && i > 2000;
        if (late) {
          time = rule.horizon(maxSeen1) - random.nextInt(60_000);
          lateOffsets.add(offset1);
        } else if (partition == 1) {
          maxSeen1 = Math.max(maxSeen1, time);
        }
        if (partition == 1) {
          offset1++;
        }
        records.add(events.event(customer, time, !late));
      }
      kafka.producer().send(records);

      Process ingest = IngestKills.ingest(home, contracts.resolve("customer_activity.yaml"), null, true);
      assertThat(ingest.waitFor(4, TimeUnit.MINUTES)).as("tessera ingest --bounded finished").isTrue();
      String log = Files.readString(home.resolve("ingest.log"));
      assertThat(ingest.exitValue()).as(log).isZero();

      Set<Long> dlq = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(c.source().topic() + ".tessera-dlq")) {
        Map<String, String> h = EmbeddedKafka.headers(r);
        assertThat(h).containsEntry("tessera.reason", "late").containsEntry("tessera.source.partition", "1");
        assertThat(h.get("tessera.detail")).as("by the per-partition rule, not behind a final window").contains("latest event time");
        dlq.add(Long.parseLong(h.get("tessera.source.offset")));
      }
      assertThat(dlq).as("source offsets of the DLQ's events").isEqualTo(lateOffsets).hasSize(34);

      Map<String, List<List<Object>>> expected = IngestKills.expected(c, byKey);
      Map<String, List<List<Object>>> got = IngestKills.icebergRows(home, c);
      assertThat(got.keySet()).isEqualTo(expected.keySet());
      expected.forEach((key, rows) -> assertThat(got.get(key)).as("rows of " + key).isEqualTo(rows));
    }
  }
}
