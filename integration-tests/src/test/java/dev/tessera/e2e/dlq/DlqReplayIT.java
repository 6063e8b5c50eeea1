package dev.tessera.e2e.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tessera.cli.Main;
import dev.tessera.config.OfflineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.compatibility.Bump;
import dev.tessera.contracts.compatibility.CheckReport;
import dev.tessera.contracts.compatibility.ContractCheck;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.e2e.StreamStack;
import dev.tessera.kafka.DeadLetters;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.EventTables;
import dev.tessera.offline.table.FeatureTables;
import dev.tessera.testkit.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.execution.JobClient;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DLQ replayed on the real broker, Flink MiniCluster, SQLite catalog and packaged online
 * service, with the CLI as an operator runs it:
 *
 * <ol>
 *   <li>a producer sends 1,000 events: 100 break the {@code amount} range rule (80 early, 20 within
 *       the last minutes) and 20 do not decode; the 1.0.0 stream rejects those 120;
 *   <li>1.1.0 relaxes the rule ({@code contract check}: MINOR); the stream resumes under it;
 *   <li>{@code tessera dlq replay --dry-run} says what would happen and changes nothing;
 *   <li>{@code tessera dlq replay} with the stream running writes the 20 recent ones back into the
 *       topic (the stream counts them) and leaves the 80 older ones waiting for a backfill;
 *   <li>the stream stops with a savepoint; {@code tessera dlq replay --savepoint} backfills from
 *       the events archive; the stream resumes with the backfill's state, and drops copies it
 *       must not count (a second copy of a replayed event, a copy for another contract);
 *   <li>offline rows, a training snapshot and the online values equal a brute-force reference over
 *       all 980 decodable events; the 20 undecodable ones are still in the DLQ;
 *   <li>a second replay changes nothing: no event written, no marker, no offline snapshot.
 * </ol>
 */
class DlqReplayIT {
  static final String TOPIC = "payments.transactions";
  static final String API_KEY = "replay-key";
  static final int KEYS = 12;
  static final String FS = "customer_activity";

  @TempDir Path home;

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void relaxedRuleReplaysTheRejectedEventsOnceLiveAndThroughABackfill() throws Exception {
    Path v1 = StreamStack.contracts(home, "v1", text -> text);
    Path v2 = StreamStack.contracts(home, "v2", text -> text.replace("version: 1.0.0", "version: 1.1.0")
        .replace("{field: amount, rule: range, min: 0, max: 1000000}", "{field: amount, rule: range, min: -1000, max: 1000000}"));
    CheckReport check = new ContractCheck().run(v1, v2);
    assertThat(check.passed()).as(check.text()).isTrue();
    assertThat(check.entries().get(0).required()).isEqualTo(Bump.MINOR);
    FeatureSetContract c1 = ContractRegistry.fromDirectory(v1).get(FS);
    FeatureSetContract c2 = ContractRegistry.fromDirectory(v2).get(FS);

    try (EmbeddedKafka kafka = new EmbeddedKafka(); StreamStack stack = new StreamStack(home, kafka, TOPIC, KEYS, API_KEY)) {
      kafka.createTopic(TOPIC, 2);
      TesseraConfig config1 = stack.config(v1);
      TesseraConfig config2 = stack.config(v2);
      Path cliConfig = home.resolve("tessera-v2.properties");
      Properties props = new Properties();
      props.putAll(stack.properties(v2));
      try (var w = Files.newBufferedWriter(cliConfig)) {
        props.store(w, null);
      }
      long t0 = System.currentTimeMillis() - Duration.ofHours(8).toMillis();
      Random random = new Random(42);

      // 1,000 events, 20 s apart: 80 early and 20 recent ones break the range rule, 20 do not decode
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      int decodable = 0;
      for (int i = 0; i < 1000; i++) {
        String customer = "c-" + random.nextInt(KEYS);
        if (i % 50 == 3) {
          byte[] garbage = i % 100 == 3 ? ("{\"customer_id\": \"" + customer + "\"}").getBytes(StandardCharsets.UTF_8) : new byte[] {0, 0, 0, 0, 42, 7};
          records.add(new ProducerRecord<>(TOPIC, customer.getBytes(StandardCharsets.UTF_8), garbage));
          continue;
        }
        boolean broken = (i % 10 == 0 && i > 0 && i <= 800) || (i >= 975 && i < 995);
        double amount = broken ? -(1 + random.nextInt(500)) : Math.round(random.nextDouble() * 50_000) / 100.0;
        String country = new String[] {"DE", "FR", "NL", "US"}[random.nextInt(4)];
        records.add(stack.record(c1.source().schema(), customer, t0 + i * 20_000L, amount, country, i));
        decodable++;
      }
      assertThat(decodable).isEqualTo(980);
      kafka.producer().send(records);

      JobClient job = stack.start(config1, c1, null, null, null);
      stack.awaitArchived(config1, 980);
      String bootstrap = kafka.bootstrapServers();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(
          DeadLetters.read(bootstrap, c1.source().dlqTopic(), 0, d -> true)).extracting(d -> d.reason() + "@" + d.sourceOffset()).hasSize(120));
      Path savepoint1 = stack.stop(job);

      // 1.1.0 relaxes the rule; the stream resumes under it, with the service in front
      job = stack.start(config2, c2, savepoint1, null, null);
      stack.service(v2, "v2");

      String dry = cli(cliConfig, "dlq", "replay", "--feature-set", FS, "--dry-run");
      System.out.println(dry);
      assertThat(dry).contains("(dry run: nothing is changed): 120 events selected").contains("customer_activity, validated again with customer_activity@1.1.0")
          .containsPattern("live\\s+20 ").containsPattern("backfill\\s+80 ").containsPattern("rejected\\s+20 ").containsPattern("done\\s+0 ")
          .containsPattern("decode_error: .*\\n");
      assertThat(DeadLetters.markers(bootstrap, c2.source().dlqTopic())).as("a dry run writes no marker").isEmpty();

      String running = cli(cliConfig, "dlq", "replay", "--feature-set", FS);
      System.out.println(running);
      assertThat(running).contains("replay customer_activity@1.1.0: 20 back into payments.transactions, 0 counted by the backfill,"
          + " 80 waiting for a backfill, 20 still rejected (0 with a new reason), 0 replayed before")
          .contains("80 events wait for a backfill of customer_activity from " + java.time.Instant.ofEpochMilli(t0 + 200_000));
      // the stream reads the 20 copies: each archived under its original's position
      stack.awaitArchived(config2, 1000);
      Path savepoint2 = stack.stop(job);

      String stopped = cli(cliConfig, "dlq", "replay", "--feature-set", FS, "--savepoint", savepoint2.toString());
      System.out.println(stopped);
      assertThat(stopped).contains("replay customer_activity@1.1.0: 0 back into payments.transactions, 80 counted by the backfill,"
          + " 0 waiting for a backfill, 20 still rejected (0 with a new reason), 20 replayed before")
          .contains("980 accepted");
      Matcher resume = Pattern.compile("--bootstrap (\\S+)").matcher(stopped);
      assertThat(resume.find()).as(stopped).isTrue();

      // copies the stream must not count: again one of each route (their originals are in the backfill's state), one for another contract
      List<DeadLetters.DeadLetter> letters = DeadLetters.read(bootstrap, c2.source().dlqTopic(), 0, d -> d.reason().equals("quality_rule"));
      kafka.producer().send(List.of(copy(letters.get(0), "customer_activity@1"), copy(letters.get(letters.size() - 1), "customer_activity@1"),
          copy(letters.get(1), "merchant_risk@1")));

      job = stack.start(config2, c2, savepoint2, resume.group(1), null);
      // a far later event moves the watermark so every row of the events before is final
      long tick = t0 + Duration.ofDays(3).toMillis();
      kafka.producer().send(List.of(stack.record(c2.source().schema(), "c-tick", tick, 1.0, "ZZ", 5000)));
      stack.awaitArchived(config2, 1001);

      long snapshotId;
      try (StreamStack.Opened opened = new StreamStack.Opened(Catalogs.open(config2))) {
        Table table = new FeatureTables(opened.catalog(), config2.get(OfflineOptions.NAMESPACE)).load(c2);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
          table.refresh();
          stack.assertOfflineRowsMatchTheReference(c2, table);
        });
        snapshotId = table.currentSnapshot().snapshotId();
      }
      stack.assertSnapshotMatchesTheReference(config2, v2, c2, t0, random);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> stack.assertOnlineMatchesTheReference(c2));

      String list = cli(cliConfig, "dlq", "list", "--feature-set", FS);
      System.out.println(list);
      assertThat(list).contains(": 120 events").contains("replay: 20 back into the topic, 80 counted by a backfill, 0 waiting for a backfill,"
          + " 20 still rejected when validated again, 0 never replayed");
      String undecodable = cli(cliConfig, "dlq", "show", "--feature-set", FS, "--reason", "decode_error", "--limit", "1");
      assertThat(undecodable).contains("replay: rejected ").contains("customer_activity@1.1.0 decode_error");

      // a second replay changes nothing
      Map<TopicPartition, Long> topicEnds = ends(bootstrap, TOPIC, DeadLetters.markersTopic(c2.source().dlqTopic()));
      String again = cli(cliConfig, "dlq", "replay", "--feature-set", FS);
      System.out.println(again);
      assertThat(again).contains("replay customer_activity@1.1.0: 0 back into payments.transactions, 0 counted by the backfill,"
          + " 0 waiting for a backfill, 20 still rejected (0 with a new reason), 100 replayed before");
      assertThat(ends(bootstrap, TOPIC, DeadLetters.markersTopic(c2.source().dlqTopic()))).as("no event and no marker written")
          .isEqualTo(topicEnds);
      try (StreamStack.Opened opened = new StreamStack.Opened(Catalogs.open(config2))) {
        Table table = new FeatureTables(opened.catalog(), config2.get(OfflineOptions.NAMESPACE)).load(c2);
        assertThat(table.currentSnapshot().snapshotId()).as("no new offline snapshot").isEqualTo(snapshotId);
        Table archive = new EventTables(opened.catalog(), config2.get(OfflineOptions.NAMESPACE)).load(TOPIC);
        assertThat(StreamStack.count(archive)).isEqualTo(1001);
      }
      stack.assertOnlineMatchesTheReference(c2);
      stack.stop(job);
    }
  }

  /** A copy of a dead letter as {@code tessera dlq replay} writes it back. */
  private static ProducerRecord<byte[], byte[]> copy(DeadLetters.DeadLetter d, String replayFor) {
    RecordHeaders h = new RecordHeaders();
    h.add(DeadLetters.REPLAY_OF, (d.sourcePartition() + "/" + d.sourceOffset()).getBytes(StandardCharsets.UTF_8));
    h.add(DeadLetters.REPLAY_FOR, replayFor.getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(d.sourceTopic(), d.sourcePartition(), null, null, d.payload(), h);
  }

  private String cli(Path config, String... args) {
    List<String> all = new ArrayList<>(List.of("--home", home.toString(), "--config", config.toString()));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(exit).as("tessera %s\n%s\n%s", String.join(" ", args), out, err).isZero();
    return out.toString();
  }

  private static Map<TopicPartition, Long> ends(String bootstrap, String... topics) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(dev.tessera.kafka.Consumers.bytes(bootstrap))) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String t : topics) {
        consumer.partitionsFor(t, Duration.ofSeconds(10)).forEach(i -> partitions.add(new TopicPartition(t, i.partition())));
      }
      return consumer.endOffsets(partitions);
    }
  }
}
