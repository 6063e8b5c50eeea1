package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.testkit.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `tessera dlq list` and `tessera dlq show` on what the real ingest job (`tessera ingest --bounded`
 * on a real broker) rejected: counts by version, reason and hour; decoded events next to their
 * rule; undecodable payloads as hex with their framing; the selection options and their errors.
 */
@Timeout(240)
class DlqCliIT {
  static final Path EXAMPLES = Path.of("../contracts/examples");
  @TempDir Path home;

  CliRun.Result run(String... args) {
    return CliRun.inHome(home, args);
  }

  @Test
  void listsAndShowsWhatTheJobRejected() throws Exception {
    FeatureSetContract c = ContractRegistry.fromDirectory(EXAMPLES).get("customer_activity");
    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      kafka.createTopic(c.source().topic(), 1);
      long t0 = System.currentTimeMillis() - 3_600_000;
      List<byte[]> payloads = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        double amount = i % 8 == 3 ? -1.5 - i : 10.0 + i; // 5 break the amount range
        payloads.add(event(c, "c-" + (i % 4), amount, t0 + i * 1000L));
      }
      payloads.add("{\"customer_id\": \"c-1\"}".getBytes(StandardCharsets.UTF_8)); // JSON text, not Avro
      payloads.add(new byte[] {0, 0, 0, 0, 42, 1, 2, 3}); // Confluent framing, garbage body
      payloads.add(new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9}); // single-object framing (the contract expects plain binary)
      kafka.produce(c.source().topic(), payloads);
      Files.writeString(home.resolve("tessera.properties"), String.join("\n",
          "tessera.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
          "tessera.contracts.dir=" + EXAMPLES.toAbsolutePath().normalize(),
          "tessera.ingest.start-from=earliest",
          "tessera.ingest.checkpoint-interval=1s", "") + "\n");

      CliRun.Result ingest = run("ingest", "--contract", EXAMPLES.resolve("customer_activity.yaml").toString(), "--bounded");
      assertThat(ingest.exit()).as(ingest.err()).isZero();

      // the DLQ sink is at-least-once: an event rejected again after a restart of the job counts once
      var first = kafka.readAll(c.source().dlqTopic()).get(0);
      kafka.producer().send(List.of(new org.apache.kafka.clients.producer.ProducerRecord<>(c.source().dlqTopic(), null, null, null,
          first.value(), first.headers())));

      CliRun.Result list = run("dlq", "list", "--feature-set", "customer_activity");
      assertThat(list.exit()).as(list.err()).isZero();
      assertThat(list.out()).contains("payments.transactions.tessera-dlq (rejected by customer_activity): 8 events")
          .contains("  oldest  ").contains("  newest  ")
          .containsPattern("\\| customer_activity \\| 1\\.0\\.0 \\| decode_error \\| 20\\d\\d-.*T\\d\\d:00:00Z \\| 3 \\|")
          .containsPattern("\\| customer_activity \\| 1\\.0\\.0 \\| quality_rule \\| 20\\d\\d-.*T\\d\\d:00:00Z \\| 5 \\|");

      CliRun.Result quality = run("dlq", "show", "--feature-set", "customer_activity", "--reason", "quality_rule", "--limit", "2");
      assertThat(quality.exit()).as(quality.err()).isZero();
      assertThat(quality.out()).contains("5 events, showing the newest 2")
          .contains("customer_activity@1.0.0  quality_rule: rule range on 'amount'")
          .contains("from payments.transactions partition 0 offset 35")
          .contains("\"amount\": -36.5");

      // fields marked source.pii are masked: values, details that name them, undecodable bytes past the framing
      Path contracts = Files.createDirectories(home.resolve("contracts"));
      try (var files = Files.list(EXAMPLES)) {
        for (Path f : files.toList()) {
          Files.copy(f, contracts.resolve(f.getFileName()));
        }
      }
      Path activity = contracts.resolve("customer_activity.yaml");
      Files.writeString(activity, Files.readString(activity).replace("  allowedLateness: 10m", "  allowedLateness: 10m\n  pii: [customer_id, amount]"));
      CliRun.Result masked = run("--config", Files.writeString(home.resolve("pii.properties"), "tessera.contracts.dir=" + contracts + "\n"
          + "tessera.kafka.bootstrap-servers=" + kafka.bootstrapServers() + "\n").toString(), "dlq", "show", "--feature-set", "customer_activity");
      assertThat(masked.exit()).as(masked.err()).isZero();
      assertThat(masked.out()).contains("\"customer_id\": \"***\"").contains("\"amount\": \"***\"").doesNotContain("-36.5")
          .contains("quality_rule: (masked: the detail is about PII field 'amount')")
          .contains("00 00 00 00 2a 01 02 03  (the rest masked: customer_activity has PII fields)");

      CliRun.Result bytes = run("dlq", "show", "--topic", "payments.transactions", "--reason", "decode_error");
      assertThat(bytes.out()).contains("undecodable; framing: looks like JSON text, not Avro")
          .contains("7b 22 63 75") // {"cu
          .contains("undecodable; framing: Confluent wire format, schema id 42")
          .contains("undecodable; framing: Avro single-object, schema fingerprint");

      assertThat(run("dlq", "list", "--feature-set", "customer_activity", "--since", "2h").out()).contains(": 8 events");
      assertThat(run("dlq", "list", "--feature-set", "customer_activity", "--since", "2099-01-01T00:00:00Z").out()).contains(": 0 events");
      assertThat(run("dlq", "list", "--feature-set", "customer_activity", "--reason", "late").out()).contains(": 0 events");

      CliRun.Result neither = run("dlq", "list");
      assertThat(neither.exit()).isEqualTo(1);
      assertThat(neither.err()).contains("exactly one of --feature-set <name> or --topic <source topic>");
      CliRun.Result badSince = run("dlq", "list", "--feature-set", "customer_activity", "--since", "yesterday");
      assertThat(badSince.exit()).isEqualTo(1);
      assertThat(badSince.err()).contains("Invalid --since 'yesterday'");
    }
  }

  /**
   * Replays through the CLI without a savepoint: the recent rejected event goes back into the
   * topic, the older ones wait for a backfill (pending); a backfill of the feature set (here
   * {@code tessera backfill --no-state}) settles them, which the next replay sees. With the archive
   * off while the job ran, the replay first appends the older ones to the events archive.
   */
  @org.junit.jupiter.params.ParameterizedTest(name = "archive {0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void replaysLiveAndLeavesTheOlderOnesWaitingForABackfill(boolean archive) throws Exception {
    FeatureSetContract c = ContractRegistry.fromDirectory(EXAMPLES).get("customer_activity");
    Path relaxed = Files.createDirectories(home.resolve("relaxed"));
    Files.copy(EXAMPLES.resolve("transaction.avsc"), relaxed.resolve("transaction.avsc"));
    Files.writeString(relaxed.resolve("customer_activity.yaml"), Files.readString(EXAMPLES.resolve("customer_activity.yaml"))
        .replace("version: 1.0.0", "version: 1.1.0").replace("rule: range, min: 0,", "rule: range, min: -1000,"));
    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      kafka.createTopic(c.source().topic(), 1);
      long t0 = System.currentTimeMillis() - 3_600_000;
      List<byte[]> payloads = new ArrayList<>();
      for (int i = 0; i < 30; i++) { // 2 minutes apart; 2, 5 and 8 are old, 28 is within the lateness bound of 29
        double amount = i == 2 || i == 5 || i == 8 || i == 28 ? -10.0 - i : 10.0 + i;
        payloads.add(event(c, "c-" + (i % 3), amount, t0 + i * 120_000L));
      }
      kafka.produce(c.source().topic(), payloads);
      String settings = String.join("\n", "tessera.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
          "tessera.ingest.start-from=earliest", "tessera.ingest.checkpoint-interval=1s", "tessera.ingest.archive=" + archive, "");
      Files.writeString(home.resolve("tessera.properties"), settings + "tessera.contracts.dir=" + EXAMPLES.toAbsolutePath().normalize() + "\n");
      CliRun.Result ingest = run("ingest", "--contract", EXAMPLES.resolve("customer_activity.yaml").toString(), "--bounded");
      assertThat(ingest.exit()).as(ingest.err()).isZero();
      Files.writeString(home.resolve("tessera.properties"), settings + "tessera.contracts.dir=" + relaxed + "\n");

      CliRun.Result dry = run("dlq", "replay", "--feature-set", "customer_activity", "--dry-run");
      assertThat(dry.exit()).as(dry.err()).isZero();
      assertThat(dry.out()).containsPattern("live\\s+1 ").containsPattern("backfill\\s+3 ").containsPattern("rejected\\s+0 ")
          .contains("  archive   " + (archive ? 0 : 3) + " of the backfill events not in the events archive");

      CliRun.Result replay = run("dlq", "replay", "--feature-set", "customer_activity");
      assertThat(replay.exit()).as(replay.err()).isZero();
      assertThat(replay.out()).contains("  archive   " + (archive ? 0 : 3) + " of the backfill events appended to the events archive")
          .contains("replay customer_activity@1.1.0: 1 back into payments.transactions, 0 counted by the backfill, 3 waiting for a backfill,"
              + " 0 still rejected (0 with a new reason), 0 replayed before")
          .contains("3 events wait for a backfill of customer_activity from " + java.time.Instant.ofEpochMilli(t0 + 2 * 120_000L));
      var copies = kafka.readAll(c.source().topic()).stream().filter(r -> r.headers().lastHeader("tessera.replay.of") != null).toList();
      assertThat(copies).hasSize(1);
      assertThat(new String(copies.get(0).headers().lastHeader("tessera.replay.of").value(), StandardCharsets.UTF_8)).isEqualTo("0/28");
      assertThat(new String(copies.get(0).headers().lastHeader("tessera.replay.for").value(), StandardCharsets.UTF_8))
          .isEqualTo("customer_activity@1");
      if (!archive) {
        var config = dev.tessera.config.TesseraConfig.load(home.resolve("tessera.properties"), home, java.util.Map.of());
        var catalog = dev.tessera.offline.catalog.Catalogs.open(config);
        var table = new dev.tessera.offline.table.EventTables(catalog, config.get(dev.tessera.config.OfflineOptions.NAMESPACE))
            .load(c.source().topic());
        List<String> rows = new ArrayList<>();
        try (var all = org.apache.iceberg.data.IcebergGenerics.read(table).build()) {
          all.forEach(r -> rows.add(r.getField("_partition") + "/" + r.getField("_offset") + " " + r.getField("amount")));
        }
        if (catalog instanceof AutoCloseable closeable) {
          closeable.close();
        }
        assertThat(rows).containsExactlyInAnyOrder("0/2 -12.0", "0/5 -15.0", "0/8 -18.0");
      }

      CliRun.Result again = run("dlq", "replay", "--feature-set", "customer_activity");
      assertThat(again.out()).contains("  archive   0 of the backfill events appended")
          .contains("0 back into payments.transactions, 0 counted by the backfill, 3 waiting for a backfill, 0 still rejected (0 with a new"
              + " reason), 1 replayed before");
      assertThat(kafka.readAll(c.source().topic())).as("nothing written back twice").hasSize(31);
      assertThat(run("dlq", "list", "--feature-set", "customer_activity").out())
          .contains("replay: 1 back into the topic, 0 counted by a backfill, 3 waiting for a backfill, 0 still rejected when validated"
              + " again, 0 never replayed");
      CliRun.Result shown = run("dlq", "show", "--feature-set", "customer_activity");
      assertThat(shown.out()).contains("replay: pending ").contains(" customer_activity@1.1.0 from ")
          .contains("replay: live ").contains(" customer_activity@1.1.0 into payments.transactions/0");

      if (archive) { // a backfill settles the waiting ones
        CliRun.Result backfill = run("backfill", "--feature-set", "customer_activity", "--no-state", "--no-publish");
        assertThat(backfill.exit()).as(backfill.err()).isZero();
        CliRun.Result settled = run("dlq", "replay", "--feature-set", "customer_activity");
        assertThat(settled.out()).contains("0 back into payments.transactions, 0 counted by the backfill, 0 waiting for a backfill,"
            + " 0 still rejected (0 with a new reason), 4 replayed before");
      }
    }
  }

  static byte[] event(FeatureSetContract c, String customer, double amount, long time) throws Exception {
    GenericRecord r = new GenericData.Record(c.source().schema());
    r.put("transaction_id", "t-" + time);
    r.put("customer_id", customer);
    r.put("merchant_id", "m-1");
    r.put("amount", amount);
    r.put("country", "DE");
    r.put("event_time", time);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(c.source().schema()).write(r, enc);
    enc.flush();
    return out.toByteArray();
  }
}
