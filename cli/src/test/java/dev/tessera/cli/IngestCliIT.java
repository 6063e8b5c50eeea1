package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `tessera ingest --from-file` (a Flink MiniCluster, no broker), then the rows through `offline history`. */
@Timeout(180)
class IngestCliIT {
  static final Path EXAMPLES = Path.of("../contracts/examples");
  static final long T0 = 1_767_225_600_000L;
  @TempDir Path home;

  CliRun.Result run(String... args) {
    return CliRun.inHome(home, args);
  }

  @Test
  void backfillsAFileAndWritesTheDlqBesideIt() throws Exception {
    Path events = home.resolve("events.jsonl");
    Files.write(events, List.of(
        event("c-1", 10.0, T0),
        "{\"not\": \"an event\"",
        event("c-1", 30.0, T0 + 60_000),
        event("c-2", -4.0, T0 + 61_000),
        event("c-2", 5.0, T0 + 120_000)));

    CliRun.Result r = run("ingest", "--contract", EXAMPLES.resolve("customer_activity.yaml").toString(), "--from-file", events.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("ingest customer_activity@1.0.0: " + events + " -> customer_activity__v1")
        .contains("done: 2 event(s) rejected -> " + events + ".tessera-dlq.jsonl");
    List<String> dlq = Files.readAllLines(Path.of(events + ".tessera-dlq.jsonl"));
    assertThat(dlq).hasSize(2);
    assertThat(dlq).anySatisfy(l -> assertThat(l).contains("\"line\":2").contains("\"reason\":\"decode_error\""));
    assertThat(dlq).anySatisfy(l -> assertThat(l).contains("\"line\":4").contains("\"reason\":\"quality_rule\"")
        .contains("rule range on 'amount': -4.0 is not in [0, 1000000]"));

    CliRun.Result history = run("offline", "history", "--contracts", EXAMPLES.toString(), "--feature-set", "customer_activity", "--key", "customer_id=c-1");
    assertThat(history.exit()).as(history.err()).isZero();
    // the two events, then the 1h count expiring minute by minute: at least two event rows
    assertThat(history.out()).contains("2026-01-01T00:00:00Z  txn_count_1h=1  amount_sum_24h=10.0")
        .contains("2026-01-01T00:01:00Z  txn_count_1h=2  amount_sum_24h=40.0");
  }

  @Test
  void runsOnTheRocksDbStateBackend() throws Exception {
    Path events = home.resolve("events.jsonl");
    Files.write(events, List.of(event("c-9", 10.0, T0), event("c-9", 12.0, T0 + 90_000)));
    Path config = Files.writeString(home.resolve("rocks.properties"), "tessera.ingest.state-backend=rocksdb\n");

    CliRun.Result r = run("--config", config.toString(), "ingest", "--contract", EXAMPLES.resolve("customer_activity.yaml").toString(),
        "--from-file", events.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    CliRun.Result history = run("offline", "history", "--contracts", EXAMPLES.toString(), "--feature-set", "customer_activity", "--key", "customer_id=c-9");
    assertThat(history.out()).contains("2026-01-01T00:01:30Z  txn_count_1h=2  amount_sum_24h=22.0");
  }

  @Test
  void backfillsAFeatureAddedByAMinorVersionFromTheArchiveWithoutABroker() throws Exception {
    Path events = home.resolve("events.jsonl");
    Files.write(events, List.of(event("c-7", 10.0, T0), event("c-7", 20.0, T0 + 60_000), event("c-7", 5.0, T0 + 20 * 60_000)));
    assertThat(run("ingest", "--contract", EXAMPLES.resolve("customer_activity.yaml").toString(), "--from-file", events.toString()).exit())
        .isZero();

    // 1.1.0 adds a 10-minute count: the archive of the file's events fills it in, no broker anywhere
    Path v2 = home.resolve("contracts-v2");
    dev.tessera.testkit.ExampleContracts.activityWithTenMinuteCount(v2);
    CliRun.Result backfill = run("backfill", "--contracts", v2.toString(), "--feature-set", "customer_activity");
    assertThat(backfill.exit()).as(backfill.out() + backfill.err()).isZero();
    assertThat(backfill.out()).contains("no savepoint of a stopped stream found")
        .contains("replayed 3 archived events: 3 accepted, 0 duplicates dropped, rejected {}")
        .contains("no Kafka configured (tessera.kafka.bootstrap-servers): latest values not published to the changelog");

    CliRun.Result history = run("offline", "history", "--contracts", v2.toString(), "--feature-set", "customer_activity", "--key", "customer_id=c-7");
    assertThat(history.exit()).as(history.err()).isZero();
    assertThat(history.out()).contains("2026-01-01T00:01:00Z  txn_count_1h=2  amount_sum_24h=30.0")
        .contains("txn_count_10m=2")
        // the 10-minute window empties at 00:11, while the hour still counts both
        .contains("2026-01-01T00:11:00Z  txn_count_1h=2").contains("txn_count_10m=0");
  }

  static String event(String customer, double amount, long time) {
    return "{\"transaction_id\": \"t\", \"customer_id\": \"" + customer + "\", \"merchant_id\": \"m-1\", \"amount\": " + amount
        + ", \"country\": \"DE\", \"event_time\": " + time + "}";
  }
}
