package dev.tessera.online.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.RocksDbOnlineStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractHistoryTest {
  static final Path EXAMPLES = Path.of("../contracts/examples");

  /** customer_activity as it was before amount_avg_7d was added: what an earlier deployment served. */
  static String before() throws Exception {
    String yaml = Files.readString(EXAMPLES.resolve("customer_activity.yaml"));
    return yaml.replace("version: 1.0.0", "version: 0.9.0")
        .replaceAll("(?m)^  - name: amount_avg_7d\\n(^    .*\\n)+", "");
  }

  @Test
  void versionsServedBeforeAreKeptAcrossRestartsWithTheDiffOfEach(@TempDir Path dir) throws Exception {
    ContractRegistry registry = ContractRegistry.fromDirectory(EXAMPLES);
    try (OnlineStore store = new RocksDbOnlineStore(dir)) {
      store.saveContract(new OnlineStore.ContractVersion("customer_activity", "0.9.0", 1_000L, before(),
          java.util.Map.of("transaction.avsc", Files.readString(EXAMPLES.resolve("transaction.avsc")))));
      new ContractHistory(store, registry).record();
    }
    try (OnlineStore store = new RocksDbOnlineStore(dir)) { // a restart: the history is in the store
      ContractHistory history = new ContractHistory(store, registry).record(); // recording again changes nothing
      List<ContractHistory.Version> versions = history.versions("customer_activity");

      assertThat(versions).extracting(ContractHistory.Version::version).containsExactly("0.9.0", "1.0.0");
      assertThat(versions.get(0).previous()).isNull();
      assertThat(versions.get(0).current()).isFalse();
      assertThat(versions.get(0).firstServedMillis()).isEqualTo(1_000L);
      ContractHistory.Version now = versions.get(1);
      assertThat(now.current()).isTrue();
      assertThat(now.previous()).isEqualTo("0.9.0");
      assertThat(now.requiredBump()).isEqualTo("MINOR");
      assertThat(now.diff()).contains("customer_activity@0.9.0 -> customer_activity@1.0.0").contains("amount_avg_7d");
      assertThat(store.contracts()).hasSize(1 + registry.allMajors().size());
    }
  }

  @Test
  void aFirstServingIsNotOverwrittenByALaterOne(@TempDir Path dir) throws Exception {
    try (OnlineStore store = new RocksDbOnlineStore(dir)) {
      store.saveContract(new OnlineStore.ContractVersion("x", "1.0.0", 5L, "first", java.util.Map.of("s.avsc", "{}")));
      store.saveContract(new OnlineStore.ContractVersion("x", "1.0.0", 9L, "second", java.util.Map.of()));
      assertThat(store.contracts()).containsExactly(new OnlineStore.ContractVersion("x", "1.0.0", 5L, "first", java.util.Map.of("s.avsc", "{}")));
    }
  }
}
