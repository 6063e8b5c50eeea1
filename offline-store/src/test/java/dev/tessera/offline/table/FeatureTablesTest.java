package dev.tessera.offline.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.offline.OfflineFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureTablesTest {
  @TempDir Path home;

  FeatureSetContract variant(String from, String to, String version) throws Exception {
    Path dir = Files.createDirectories(home.resolve("c-" + System.nanoTime()));
    Files.copy(OfflineFixture.EXAMPLES.resolve("transaction.avsc"), dir.resolve("transaction.avsc"));
    String yaml = Files.readString(OfflineFixture.EXAMPLES.resolve("customer_activity.yaml"));
    assertThat(yaml).contains(from);
    Files.writeString(dir.resolve("c.yaml"), yaml.replace(from, to).replace("version: 1.0.0", "version: " + version));
    return ContractRegistry.loadFile(dir.resolve("c.yaml"));
  }

  @Test
  void createsTablePartitionedByDaySortedByKeyWithContractProperties() throws Exception {
    try (OfflineFixture fx = new OfflineFixture(home)) {
      Table t = fx.tables.ensure(fx.contract("customer_merchant"));

      assertThat(t.name()).endsWith("features.customer_merchant__v1");
      assertThat(t.spec().fields()).singleElement().satisfies(f -> {
        assertThat(f.transform().toString()).isEqualTo("day");
        assertThat(t.schema().findColumnName(f.sourceId())).isEqualTo("event_time");
      });
      assertThat(t.sortOrder().fields()).extracting(f -> t.schema().findColumnName(f.sourceId()))
          .containsExactly("customer_id", "merchant_id", "event_time");
      assertThat(t.properties()).containsEntry("tessera.contract.name", "customer_merchant").containsEntry("tessera.contract.version", "1.1.0");
      assertThat(t.schema().columns()).extracting(Types.NestedField::name).startsWith("customer_id", "merchant_id").endsWith("event_time");
    }
  }

  @Test
  void minorVersionAddsColumnsBeforeEventTime() throws Exception {
    try (OfflineFixture fx = new OfflineFixture(home)) {
      fx.tables.ensure(fx.contract("customer_activity"));
      FeatureSetContract v11 = variant("quality:",
          "  - name: amount_min_24h\n    type: double\n    description: Smallest.\n    aggregate: {function: min, field: amount, window: 24h}\nquality:", "1.1.0");

      Table t = fx.tables.ensure(v11);

      List<String> names = t.schema().columns().stream().map(Types.NestedField::name).toList();
      assertThat(names).containsSubsequence("last_country", "amount_min_24h", "event_time");
      assertThat(names.get(names.size() - 1)).isEqualTo("event_time");
      assertThat(t.properties()).containsEntry("tessera.contract.version", "1.1.0");
      // the older minor version still works against the evolved table, and changes nothing
      fx.tables.ensure(fx.contract("customer_activity"));
      assertThat(fx.tables.load(v11).properties()).containsEntry("tessera.contract.version", "1.1.0");
    }
  }

  @Test
  void keepsTheColumnOfARemovedFeatureAndRefusesARetypedOne() throws Exception {
    try (OfflineFixture fx = new OfflineFixture(home)) {
      fx.tables.ensure(fx.contract("customer_activity"));
      FeatureSetContract removed = variant("  - name: last_country\n    type: string\n    description: Country of the most recent transaction.\n    aggregate: {function: last, field: country}\n", "", "1.1.0");
      FeatureSetContract retyped = variant("type: string\n    description: Country of the most recent transaction.\n    aggregate: {function: last, field: country}",
          "type: long\n    description: Country of the most recent transaction.\n    aggregate: {function: count, field: country}", "1.2.0");

      // a minor version may drop a deprecated feature (the contract check decides): its column stays for history
      Table t = fx.tables.ensure(removed);
      assertThat(t.schema().findField("last_country")).isNotNull();
      assertThat(t.properties()).containsEntry("tessera.contract.version", "1.1.0");
      assertThatThrownBy(() -> fx.tables.ensure(retyped))
          .isInstanceOf(TesseraException.class)
          .hasMessageContaining("Cannot evolve table").hasMessageContaining("customer_activity@1.2.0")
          .hasMessageContaining("column 'last_country' is string in the table but long in the contract")
          .satisfies(e -> assertThat(((TesseraException) e).code()).isEqualTo(ErrorCode.INCOMPATIBLE_CHANGE));
    }
  }
}
