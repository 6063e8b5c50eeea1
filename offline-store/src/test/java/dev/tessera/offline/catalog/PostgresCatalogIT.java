package dev.tessera.offline.catalog;

import static dev.tessera.offline.snapshot.SnapshotFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.offline.OfflineFixture;
import dev.tessera.offline.snapshot.ProgressListener;
import dev.tessera.offline.snapshot.SnapshotFixtures;
import dev.tessera.offline.snapshot.SnapshotRequest;
import dev.tessera.offline.snapshot.SnapshotResult;
import dev.tessera.offline.snapshot.SnapshotService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDBC catalog on the PostgreSQL this machine runs at 127.0.0.1:5432 (user postgres, trust
 * auth). Each run uses a fresh database, dropped afterwards.
 */
@Timeout(180)
class PostgresCatalogIT {
  static final String SERVER = dev.tessera.testkit.MachineServices.POSTGRES_JDBC;
  @TempDir Path home;
  String database;

  @BeforeEach
  void createDatabase() throws Exception {
    dev.tessera.testkit.MachineServices.requirePostgres();
    database = "tessera_it_" + Long.toHexString(System.nanoTime());
    try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
  }

  @AfterEach
  void dropDatabase() throws Exception {
    try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  @Test
  void catalogOnPostgresCreatesTablesAndReplaysSnapshots() throws Exception {
    Map<String, String> config = Map.of(
        "tessera.offline.catalog.uri", SERVER + database,
        "tessera.offline.catalog.jdbc.user", "postgres",
        "tessera.offline.catalog.jdbc.password", "");
    try (OfflineFixture fx = new OfflineFixture(home, config)) {
      fx.append("customer_activity", SnapshotFixtures.ACTIVITY_ROWS);
      Path spine = SnapshotFixtures.writeSpine(home);
      SnapshotService service = new SnapshotService(fx.config, fx.registry, fx.catalog, ProgressListener.NONE);
      SnapshotResult first = service.create(new SnapshotRequest(spine.toString(), "ts", List.of("customer_activity:*"), home.resolve("a.csv").toString()));
      fx.append("customer_activity", List.of(row("c-1", 42L, 1.0, SnapshotFixtures.T0 + 1)));
      service.replay(first.manifestPath(), home.resolve("b.csv").toString());

      assertThat(Files.readAllLines(home.resolve("b.csv"))).isEqualTo(Files.readAllLines(home.resolve("a.csv")));
      assertThat(first.manifest().catalog()).containsEntry("uri", SERVER + database);
    }
    // the catalog's state is in PostgreSQL, not in a local file
    try (Connection c = DriverManager.getConnection(SERVER + database, "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT table_namespace, table_name FROM iceberg_tables ORDER BY table_name")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("features");
      assertThat(rs.getString(2)).isEqualTo("customer_activity__v1");
    }
    assertThat(Files.exists(home.resolve("catalog.db"))).isFalse();
  }
}
