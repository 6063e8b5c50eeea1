package dev.tessera.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.bench.IngestKills;
import dev.tessera.contracts.registry.ContractRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the real {@code tessera ingest} JVM five times at random points during 200k events,
 * resumed from its latest retained checkpoint each time: Iceberg then holds exactly the rows of an
 * uninterrupted run (0 lost, 0 duplicated), and the changelog's last value per key is the last
 * Iceberg row. The big version: {@code bench/run chaos}.
 */
@Timeout(900)
class IngestKillsIT {
  @TempDir Path home;

  @Test
  void fiveKillsLoseAndDuplicateNothing() throws Exception {
    var c = ContractRegistry.fromDirectory(UpProcess.ROOT.resolve("contracts/examples")).get("customer_activity");
    IngestKills.Result r = IngestKills.run(home, c, 200_000, 5, 11, System.out::println);
    System.out.println(r);
    assertThat(r.lost()).as("rows lost").isZero();
    assertThat(r.duplicated()).as("rows duplicated").isZero();
    assertThat(r.rows()).isEqualTo(r.expectedRows()).isPositive();
    assertThat(r.changelogMismatches()).as("keys whose last changelog value is not their last Iceberg row").isZero();
  }

  /**
   * The same on the RocksDB state backend, with one key taking a fifth of the events (thousands
   * of pending event times): its state is held decoded between checkpoints (WindowFunction) and
   * written to RocksDB before each barrier, so a kill -9 loses the held copy and the resumed job
   * must continue from what the last barrier's flush wrote.
   */
  @Test
  void killsOnRocksDbWithAHotKeyLoseAndDuplicateNothing() throws Exception {
    var c = ContractRegistry.fromDirectory(UpProcess.ROOT.resolve("contracts/examples")).get("customer_activity");
    IngestKills.Result r = IngestKills.run(home, c, 100_000, 3, 12, System.out::println,
        java.util.Map.of("tessera.ingest.state-backend", "rocksdb"), 20);
    System.out.println(r);
    assertThat(r.lost()).as("rows lost").isZero();
    assertThat(r.duplicated()).as("rows duplicated").isZero();
    assertThat(r.rows()).isEqualTo(r.expectedRows()).isPositive();
    assertThat(r.changelogMismatches()).as("keys whose last changelog value is not their last Iceberg row").isZero();
  }
}
