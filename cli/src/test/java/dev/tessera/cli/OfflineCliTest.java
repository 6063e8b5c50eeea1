package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.config.TesseraConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `tessera offline tables|history` and `tessera snapshot` in-process, on a temp home. */
class OfflineCliTest {
  static final Path EXAMPLES = Path.of("../contracts/examples");
  @TempDir Path home;

  CliRun.Result run(String... args) {
    return CliRun.inHome(home, args);
  }

  @Test
  void shippedExampleConfigHasOnlyKnownKeys() {
    TesseraConfig config = TesseraConfig.load(Path.of("../config/tessera.example.properties"), home, Map.of());
    assertThat(config.unknownKeys(dev.tessera.config.AllOptions.ALL)).isEmpty();
    // and it declares every key there is
    assertThat(dev.tessera.config.AllOptions.ALL).allSatisfy(o -> assertThat(readKeys()).contains(o.key()));
  }

  static String readKeys() {
    try {
      return Files.readString(Path.of("../config/tessera.example.properties"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void unknownConfigKeyIsAnErrorWithAHint() throws Exception {
    Path config = Files.writeString(home.resolve("bad.properties"), "tessera.offline.warehose=/tmp/x\n");

    CliRun.Result r = run("--config", config.toString(), "offline", "tables", "--contracts", EXAMPLES.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("Unknown config key 'tessera.offline.warehose'").contains("did you mean 'tessera.offline.warehouse'?");
  }

  @Test
  void tablesThenSnapshotThenReplayThenHistory() throws Exception {
    CliRun.Result tables = run("offline", "tables", "--contracts", EXAMPLES.toString());
    assertThat(tables.exit()).as(tables.err()).isZero();
    assertThat(tables.out()).contains("features.customer_activity__v1").contains("features.customer_profile__v1");
    assertThat(Files.exists(home.resolve("catalog.db"))).isTrue();

    Path spine = Files.writeString(home.resolve("spine.csv"), "customer_id,ts\nc-1,1767225600000\n");
    CliRun.Result snap = run("snapshot", "--contracts", EXAMPLES.toString(), "--spine", spine.toString(), "--time-column", "ts",
        "--features", "customer_activity:*,customer_profile:segment", "--out", home.resolve("train.csv").toString());
    assertThat(snap.exit()).as(snap.err()).isZero();
    assertThat(snap.out()).contains("1 rows -> " + home.resolve("train.csv")).contains("manifest: " + home.resolve("train.csv.manifest.json"));
    assertThat(Files.readAllLines(home.resolve("train.csv")).get(0)).isEqualTo(
        "customer_id,ts,customer_activity__txn_count_1h,customer_activity__amount_sum_24h,customer_activity__amount_avg_7d,"
            + "customer_activity__amount_max_24h,customer_activity__last_country,customer_profile__segment");

    CliRun.Result replay = run("snapshot", "--contracts", EXAMPLES.toString(), "--replay", home.resolve("train.csv.manifest.json").toString(),
        "--out", home.resolve("again.csv").toString());
    assertThat(replay.exit()).as(replay.err()).isZero();
    assertThat(Files.readString(home.resolve("again.csv"))).isEqualTo(Files.readString(home.resolve("train.csv")));

    CliRun.Result onFlink = run("snapshot", "--contracts", EXAMPLES.toString(), "--engine", "flink", "--spine", spine.toString(), "--time-column", "ts",
        "--features", "customer_activity:*,customer_profile:segment", "--out", home.resolve("flink.csv").toString());
    assertThat(onFlink.exit()).as(onFlink.err()).isZero();
    assertThat(onFlink.out()).contains("(engine flink)");
    assertThat(Files.readString(home.resolve("flink.csv"))).isEqualTo(Files.readString(home.resolve("train.csv")));

    CliRun.Result history = run("offline", "history", "--contracts", EXAMPLES.toString(), "--feature-set", "customer_activity",
        "--key", "customer_id=c-1", "--from", Instant.parse("2026-01-01T00:00:00Z").toString());
    assertThat(history.exit()).as(history.err()).isZero();
    assertThat(history.out()).contains("0 row(s)");
  }

  @Test
  void snapshotErrorsAreOneLineWithoutStackTraces() throws Exception {
    run("offline", "tables", "--contracts", EXAMPLES.toString());
    CliRun.Result r = run("snapshot", "--contracts", EXAMPLES.toString(), "--spine", home.resolve("missing.csv").toString(),
        "--time-column", "ts", "--features", "customer_activity:*", "--out", home.resolve("o.csv").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("tessera: Cannot read spine '").contains("no such file").doesNotContain("\tat ");

    CliRun.Result engine = run("snapshot", "--contracts", EXAMPLES.toString(), "--engine", "spark", "--spine", "x.csv",
        "--time-column", "ts", "--features", "customer_activity:*", "--out", "o.csv");
    assertThat(engine.exit()).isEqualTo(2);
    assertThat(engine.err()).contains("'spark': expected local or flink");

    CliRun.Result history = run("offline", "history", "--contracts", EXAMPLES.toString(), "--feature-set", "customer_merchant", "--key", "customer_id=c-1");
    assertThat(history.exit()).isEqualTo(1);
    assertThat(history.err()).contains("expected exactly its key [customer_id, merchant_id], missing [merchant_id]");
  }
}
