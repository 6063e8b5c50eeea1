package dev.tessera.offline.catalog;

import static dev.tessera.offline.snapshot.SnapshotFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.offline.OfflineFixture;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.snapshot.ProgressListener;
import dev.tessera.offline.snapshot.SnapshotFixtures;
import dev.tessera.offline.snapshot.SnapshotRequest;
import dev.tessera.offline.snapshot.SnapshotResult;
import dev.tessera.offline.snapshot.SnapshotService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The warehouse on S3 (S3FileIO against s3proxy in this JVM), catalog on SQLite. */
@Timeout(180)
class S3WarehouseIT {
  @TempDir Path home;

  @Test
  void tablesSnapshotsAndReplayLiveInS3() throws Exception {
    try (EmbeddedS3 s3 = new EmbeddedS3()) {
      s3.createBucket("lake");
      Map<String, String> config = Map.of(
          "tessera.offline.warehouse", "s3://lake/warehouse",
          "tessera.offline.s3.endpoint", s3.endpoint(),
          "tessera.offline.s3.access-key-id", EmbeddedS3.ACCESS_KEY,
          "tessera.offline.s3.secret-access-key", EmbeddedS3.SECRET_KEY);
      try (OfflineFixture fx = new OfflineFixture(home, config)) {
        fx.append("customer_activity", SnapshotFixtures.ACTIVITY_ROWS);
        Path spine = SnapshotFixtures.writeSpine(home);
        SnapshotService service = new SnapshotService(fx.config, fx.registry, fx.catalog, ProgressListener.NONE);

        SnapshotResult first = service.create(new SnapshotRequest(spine.toString(), "ts", List.of("customer_activity:*"), home.resolve("a.csv").toString()));
        fx.append("customer_activity", List.of(row("c-1", 42L, 1.0, SnapshotFixtures.T0 + 1)));
        service.replay(first.manifestPath(), home.resolve("b.csv").toString());
        service.create(new SnapshotRequest(spine.toString(), "ts", List.of("customer_activity:*"), "iceberg:training.s3_snapshot"));
        // the Flink engine's tasks build S3FileIO from the catalog properties
        service.withEngine(OfflineOptions.Engine.FLINK).replay(first.manifestPath(), home.resolve("c.csv").toString());
        assertThat(Files.readAllLines(home.resolve("c.csv"))).isEqualTo(Files.readAllLines(home.resolve("a.csv")));

        assertThat(s3.list("lake", "warehouse/features/customer_activity__v1/data/")).isNotEmpty()
            .allSatisfy(name -> assertThat(name).endsWith(".parquet"));
        assertThat(s3.list("lake", "warehouse/features/customer_activity__v1/metadata/")).anySatisfy(n -> assertThat(n).endsWith(".metadata.json"));
        assertThat(s3.list("lake", "warehouse/training/s3_snapshot/data/")).hasSize(1);
        assertThat(Files.exists(home.resolve("warehouse"))).as("nothing in a local warehouse").isFalse();
        assertThat(Files.readAllLines(home.resolve("b.csv"))).isEqualTo(Files.readAllLines(home.resolve("a.csv")));
        assertThat(Files.readAllLines(home.resolve("a.csv")).get(1)).startsWith("c-1," + (SnapshotFixtures.T0 + SnapshotFixtures.DAY) + ",1,5,");
      }
    }
  }
}
