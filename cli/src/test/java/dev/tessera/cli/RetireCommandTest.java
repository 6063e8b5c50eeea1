package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.cli.contract.RetireCommand;
import dev.tessera.contracts.model.ContractStatus;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.RocksDbOnlineStore;
import dev.tessera.online.store.StoredRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera contract retire} on a home with a RocksDB online store and the SQLite catalog
 * (no Kafka: the topic is left to the next {@code tessera up}): refused for an unpinned name, an
 * active major, before the sunset, and while a consumer read within the quiet period (naming it);
 * then the rows go, the table stays, the file says retired, and a second run only cleans up.
 */
class RetireCommandTest {
  @TempDir Path home;

  @AfterEach
  void realClock() {
    RetireCommand.clock = Clock.systemUTC();
  }

  @Test
  void refusesUntilTheSunsetAndTheQuietPeriodThenRetires() throws Exception {
    Path contracts = Files.createDirectories(home.resolve("contracts"));
    Path examples = Path.of("../contracts/examples");
    try (var files = Files.list(examples)) {
      for (Path f : files.toList()) {
        Files.copy(f, contracts.resolve(f.getFileName()));
      }
    }
    String v1 = Files.readString(contracts.resolve("customer_activity.yaml"));
    Files.writeString(contracts.resolve("customer_activity@1.yaml"), v1.replace("version: 1.0.0",
        "version: 1.0.0\nstatus: deprecated\nsunset: 2026-12-10\nreplacement: customer_activity@2"));
    Files.writeString(contracts.resolve("customer_activity.yaml"), v1.replace("version: 1.0.0", "version: 2.0.0"));
    Files.writeString(home.resolve("tessera.properties"), "tessera.contracts.dir=" + contracts + "\n");
    Instant lastRead = Instant.parse("2026-12-10T23:00:00Z");
    try (OnlineStore store = new RocksDbOnlineStore(home.resolve("online"))) {
      store.addUsage("customer_activity@1", "fraud-scoring", 1200, lastRead.toEpochMilli());
      store.addUsage("customer_activity@1", "fraud-scoring", 5, lastRead.minusSeconds(60).toEpochMilli());
      store.addUsage("customer_activity@2", "marketing-propensity", 7, lastRead.toEpochMilli());
      store.apply("tessera.online.customer_activity.v1", 0, List.of(new OnlineStore.Write(new byte[] {1}, new StoredRow(new byte[] {9}, 1, 1)),
          new OnlineStore.Write(new byte[] {2}, new StoredRow(new byte[] {9}, 1, 1))), 2);
      store.apply("tessera.online.customer_activity.v2", 0, List.of(new OnlineStore.Write(new byte[] {1}, new StoredRow(new byte[] {8}, 1, 1))), 1);
      assertThat(store.usage()).contains(new OnlineStore.Usage("customer_activity@1", "fraud-scoring", 1205, lastRead.toEpochMilli()));
    }

    CliRun.Result unpinned = CliRun.inHome(home, "contract", "retire", "customer_activity");
    assertThat(unpinned.exit()).isEqualTo(1);
    assertThat(unpinned.err()).contains("name the major, <name>@<major>").contains("customer_activity@1, customer_activity@2");
    CliRun.Result active = CliRun.inHome(home, "contract", "retire", "customer_activity@2");
    assertThat(active.exit()).isEqualTo(1);
    assertThat(active.err()).contains("Cannot retire customer_activity@2: it is active without a sunset; deprecate it first");

    RetireCommand.clock = Clock.fixed(Instant.parse("2026-12-05T12:00:00Z"), ZoneOffset.UTC);
    CliRun.Result early = CliRun.inHome(home, "contract", "retire", "customer_activity@1");
    assertThat(early.exit()).isEqualTo(1);
    assertThat(early.err()).contains("Cannot retire customer_activity@1 before its sunset 2026-12-10 (today is 2026-12-05)");

    RetireCommand.clock = Clock.fixed(Instant.parse("2026-12-11T00:00:00Z"), ZoneOffset.UTC);
    CliRun.Result read = CliRun.inHome(home, "contract", "retire", "customer_activity@1");
    assertThat(read.exit()).isEqualTo(1);
    assertThat(read.err()).contains("Cannot retire customer_activity@1: still read within the quiet period of 7d: fraud-scoring read it 1h ago"
        + " (1,205 reads in all); they should move to customer_activity@2");

    Path before = Files.createDirectories(home.resolve("before"));
    try (var files = Files.list(contracts)) {
      for (Path f : files.toList()) {
        Files.copy(f, before.resolve(f.getFileName()));
      }
    }
    CliRun.Result retired = CliRun.inHome(home, "contract", "retire", "customer_activity@1", "--quiet-period", "30m");
    assertThat(retired.exit()).as(retired.err()).isZero();
    assertThat(retired.out()).contains("retire customer_activity@1: deleted 2 online rows of tessera.online.customer_activity.v1")
        .contains("changelog topic tessera.online.customer_activity.v1: no Kafka configured; the next tessera up deletes it")
        .contains("Iceberg table features.customer_activity__v1 kept")
        .contains("now says status: retired, version 1.1.0; commit it through a contract PR");
    assertThat(ContractRegistry.fromDirectory(contracts).find("customer_activity", 1)).map(c -> c.status()).hasValue(ContractStatus.RETIRED);
    assertThat(Files.readString(contracts.resolve("customer_activity@1.yaml"))).contains("version: 1.1.0\nstatus: retired\nsunset: 2026-12-10");
    var check = new dev.tessera.contracts.compatibility.ContractCheck(RetireCommand.clock).run(before, contracts);
    assertThat(check.passed()).as("the PR it makes passes contract check: " + check.text()).isTrue();
    var tooEarly = new dev.tessera.contracts.compatibility.ContractCheck(Clock.fixed(Instant.parse("2026-12-05T00:00:00Z"), ZoneOffset.UTC))
        .run(before, contracts);
    assertThat(tooEarly.text()).contains("retired before its sunset 2026-12-10");
    try (RocksDbOnlineStore store = new RocksDbOnlineStore(home.resolve("online"))) {
      assertThat(store.get("tessera.online.customer_activity.v1", new byte[] {1})).isEmpty();
      assertThat(store.offsets("tessera.online.customer_activity.v1")).isEmpty();
      assertThat(store.get("tessera.online.customer_activity.v2", new byte[] {1})).as("the other major's rows stay").isPresent();
    }

    CliRun.Result again = CliRun.inHome(home, "contract", "retire", "customer_activity@1");
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("deleted 0 online rows").contains("already retired; cleaned up again");
  }
}
