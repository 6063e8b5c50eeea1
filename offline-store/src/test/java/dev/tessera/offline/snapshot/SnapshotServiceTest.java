package dev.tessera.offline.snapshot;

import dev.tessera.offline.snapshot.spine.Hashing;
import static dev.tessera.offline.snapshot.SnapshotData.DAY;
import static dev.tessera.offline.snapshot.SnapshotData.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.errors.TesseraException;
import dev.tessera.offline.OfflineFixture;
import dev.tessera.offline.table.FeatureRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotServiceTest {
  @TempDir Path home;
  OfflineFixture fx;
  SnapshotService service;
  Path spine;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OfflineFixture(home);
    service = new SnapshotService(fx.config, fx.registry, fx.catalog, ProgressListener.NONE);
    fx.append("customer_activity", List.of(
        row("c-1", 5L, 100.0, T0),
        row("c-1", 7L, 250.0, T0 + 2 * DAY),
        row("c-2", 1L, 10.0, T0 + DAY)));
    spine = home.resolve("spine.csv");
    Files.writeString(spine, """
        customer_id,ts,label
        c-1,%d,1
        c-2,%d,0
        c-1,%d,0
        c-3,%d,1
        """.formatted(T0 + DAY, T0 + 3 * DAY, T0 - 1, T0 + 3 * DAY));
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  static FeatureRow row(String customer, long count, double sum, long time) {
    return new FeatureRow(new Object[] {customer}, new Object[] {count, sum, sum / count, sum, "DE"}, time);
  }

  SnapshotResult snapshot(String out) {
    return service.create(new SnapshotRequest(spine.toString(), "ts", List.of("customer_activity:txn_count_1h", "customer_activity:amount_sum_24h"), out));
  }

  @Test
  void writesParquetWithSpineColumnsThenFeaturesAndAManifest() throws Exception {
    SnapshotResult r = snapshot(home.resolve("train.parquet").toString());

    List<Object[]> rows = SnapshotData.readParquet(home.resolve("train.parquet"));
    assertThat(r.manifest().output().columns()).containsExactly(
        "customer_id", "ts", "label", "customer_activity__txn_count_1h", "customer_activity__amount_sum_24h");
    assertThat(rows).extracting(x -> java.util.Arrays.asList(x)).containsExactly(
        java.util.Arrays.asList("c-1", Long.toString(T0 + DAY), "1", 5L, 100.0),
        java.util.Arrays.asList("c-2", Long.toString(T0 + 3 * DAY), "0", 1L, 10.0),
        java.util.Arrays.asList("c-1", Long.toString(T0 - 1), "0", null, null),
        java.util.Arrays.asList("c-3", Long.toString(T0 + 3 * DAY), "1", null, null));
    assertThat(r.manifestPath()).isEqualTo(home.resolve("train.parquet.manifest.json"));
    SnapshotManifest m = SnapshotManifest.read(r.manifestPath());
    assertThat(m.spine().sha256()).isEqualTo(Hashing.sha256(spine));
    assertThat(m.spine().rows()).isEqualTo(4);
    assertThat(m.featureSets()).singleElement().satisfies(fs -> {
      assertThat(fs.featureSet()).isEqualTo("customer_activity");
      assertThat(fs.version()).isEqualTo("1.0.0");
      assertThat(fs.table()).isEqualTo("features.customer_activity__v1");
      assertThat(fs.snapshotId()).isEqualTo(fx.tables.load(fx.contract("customer_activity")).currentSnapshot().snapshotId());
      assertThat(fs.ttlMillis()).isEqualTo(30 * DAY);
    });
    assertThat(m.createdAt()).isNotBlank();
  }

  @Test
  void replayReproducesRowsAfterNewAppends() throws Exception {
    SnapshotResult first = snapshot(home.resolve("a.parquet").toString());
    // rows that would change the answer for every spine row if the replay read the latest data
    fx.append("customer_activity", List.of(row("c-1", 99L, 9.0, T0 + 1), row("c-2", 98L, 8.0, T0 + 2 * DAY), row("c-3", 97L, 7.0, T0)));

    SnapshotResult replayed = service.replay(first.manifestPath(), home.resolve("b.parquet").toString());
    SnapshotResult fresh = snapshot(home.resolve("c.parquet").toString());

    List<Object[]> a = SnapshotData.readParquet(home.resolve("a.parquet"));
    assertThat(SnapshotData.readParquet(home.resolve("b.parquet"))).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(a);
    assertThat(SnapshotData.readParquet(home.resolve("c.parquet")).get(0)[3]).isEqualTo(99L);
    assertThat(replayed.manifest().replayOf()).isEqualTo(first.manifestPath().toString());
    assertThat(replayed.manifest().featureSets()).isEqualTo(first.manifest().featureSets());
    assertThat(fresh.manifest().featureSets().get(0).snapshotId()).isNotEqualTo(first.manifest().featureSets().get(0).snapshotId());
  }

  @Test
  void replayRefusesAChangedSpine() throws Exception {
    SnapshotResult first = snapshot(home.resolve("a.parquet").toString());
    Files.writeString(spine, Files.readString(spine) + "c-9,1,1\n");

    assertThatThrownBy(() -> service.replay(first.manifestPath(), home.resolve("b.parquet").toString()))
        .isInstanceOf(TesseraException.class)
        .hasMessageContaining("Cannot replay").hasMessageContaining("changed since the snapshot");
  }

  @Test
  void writesCsvAndIcebergOutputs() throws Exception {
    snapshot(home.resolve("train.csv").toString());
    assertThat(Files.readAllLines(home.resolve("train.csv"))).containsExactly(
        "customer_id,ts,label,customer_activity__txn_count_1h,customer_activity__amount_sum_24h",
        "c-1," + (T0 + DAY) + ",1,5,100.0",
        "c-2," + (T0 + 3 * DAY) + ",0,1,10.0",
        "c-1," + (T0 - 1) + ",0,,",
        "c-3," + (T0 + 3 * DAY) + ",1,,");

    SnapshotResult r = snapshot("iceberg:training.activity_snapshot");
    assertThat(r.output()).isEqualTo("iceberg:training.activity_snapshot");
    assertThat(r.manifestPath()).isEqualTo(fx.config.home().resolve("snapshots/training.activity_snapshot.manifest.json"));
    List<Object> counts = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(fx.catalog.loadTable(TableIdentifier.parse("training.activity_snapshot"))).build()) {
      records.forEach(rec -> counts.add(rec.getField("customer_activity__txn_count_1h")));
    }
    assertThat(counts).containsExactlyInAnyOrder(5L, 1L, null, null);
  }

  @Test
  void readsParquetAndIcebergSpines() throws Exception {
    snapshot("iceberg:training.spine_copy");
    SnapshotResult fromIceberg = service.create(new SnapshotRequest("iceberg:training.spine_copy", "ts",
        List.of("customer_activity:amount_max_24h"), home.resolve("x.parquet").toString()));
    assertThat(fromIceberg.manifest().spine().snapshotId()).isNotNull();
    snapshot(home.resolve("spine2.parquet").toString());
    SnapshotResult fromParquet = service.create(new SnapshotRequest(home.resolve("spine2.parquet").toString(), "ts",
        List.of("customer_activity:amount_max_24h"), home.resolve("y.csv").toString()));

    assertThat(fromParquet.manifest().output().rows()).isEqualTo(4);
    assertThat(Files.readAllLines(home.resolve("y.csv")).get(1)).endsWith(",5,100.0,100.0");
    assertThat(fromIceberg.manifest().output().rows()).isEqualTo(4);
  }

  @Test
  void parsesIsoTimesAndIntegerKeys() throws Exception {
    Files.writeString(spine, "customer_id,ts\nc-1,2026-01-02T00:00:00Z\nc-1,2026-01-03 12:00:00\nc-1,2026-01-01\n");
    snapshot(home.resolve("iso.csv").toString());
    assertThat(Files.readAllLines(home.resolve("iso.csv"))).containsExactly(
        "customer_id,ts,customer_activity__txn_count_1h,customer_activity__amount_sum_24h",
        "c-1,2026-01-02T00:00:00Z,5,100.0",
        "c-1,2026-01-03 12:00:00,7,250.0",
        "c-1,2026-01-01,5,100.0");
  }

  @Test
  void reportsBadRequestsClearly() throws Exception {
    assertThatThrownBy(() -> service.create(new SnapshotRequest(spine.toString(), "time", List.of("customer_activity:*"), home.resolve("o.csv").toString())))
        .hasMessage("Cannot use time column 'time': the spine has no such column (columns: customer_id, ts, label)");
    assertThatThrownBy(() -> service.create(new SnapshotRequest(spine.toString(), "ts", List.of("customer_merchant:*"), home.resolve("o.csv").toString())))
        .hasMessageContaining("Cannot find offline table features.customer_merchant__v1");
    fx.tables.ensure(fx.contract("customer_merchant"));
    assertThatThrownBy(() -> service.create(new SnapshotRequest(spine.toString(), "ts", List.of("customer_merchant:*"), home.resolve("o.csv").toString())))
        .hasMessageContaining("Cannot join customer_merchant: the spine has no key column 'merchant_id'");
    assertThatThrownBy(() -> service.create(new SnapshotRequest(spine.toString(), "ts", List.of("customer_activity:amount_sum_1h"), home.resolve("o.csv").toString())))
        .hasMessageContaining("Unknown feature 'customer_activity:amount_sum_1h'; did you mean 'amount_sum_24h'? (features of customer_activity@1.0.0:");
    assertThatThrownBy(() -> service.create(new SnapshotRequest(spine.toString(), "ts", List.of("customer_activty:*"), home.resolve("o.csv").toString())))
        .hasMessageContaining("Cannot find feature set 'customer_activty'");
    assertThatThrownBy(() -> service.create(new SnapshotRequest(spine.toString(), "ts", List.of("customer_activity"), home.resolve("o.csv").toString())))
        .hasMessageContaining("expected <feature set>:<feature> or <feature set>:*");
    assertThatThrownBy(() -> service.create(new SnapshotRequest(spine.toString(), "ts", List.of("customer_activity:*"), home.resolve("o.json").toString())))
        .hasMessageContaining("expected a .parquet or .csv file, or iceberg:<namespace>.<table>");
    Files.writeString(spine, "customer_id,ts\nc-1,yesterday\n");
    assertThatThrownBy(() -> service.create(new SnapshotRequest(spine.toString(), "ts", List.of("customer_activity:*"), home.resolve("o.csv").toString())))
        .hasMessageContaining("Cannot read spine row 1: time column 'ts' has 'yesterday': expected epoch milliseconds or ISO-8601");
    Files.writeString(spine, "customer_id,ts\nc-1,1,extra\n");
    assertThatThrownBy(() -> service.create(new SnapshotRequest(spine.toString(), "ts", List.of("customer_activity:*"), home.resolve("o.csv").toString())))
        .hasMessageContaining("line 2: 3 fields, expected 2 like the header");
  }
}
