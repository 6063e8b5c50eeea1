package dev.tessera.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.config.CoreOptions;
import dev.tessera.errors.TesseraException;
import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which jars go with a job sent to a session cluster: not those the Flink distribution has. */
class FlinkClustersTest {
  @Test
  void shipsTesseraConnectorsAndLibrariesButNotFlinkItself() {
    String cp = String.join(File.pathSeparator, List.of("/lib/tessera-ingest-flink-0.1.0.jar", "/lib/flink-runtime-2.1.1.jar",
        "/lib/flink-connector-kafka-5.0.0-2.1.jar", "/lib/flink-sql-connector-x-1.jar", "/lib/flink-table-runtime-2.1.1.jar",
        "/lib/frocksdbjni-8.10.0-ververica-1.0.jar", "/lib/iceberg-flink-2.1-1.11.0.jar", "/lib/kafka-clients-4.1.2.jar",
        "/lib/slf4j-api-2.0.17.jar", "/lib/log4j-core-2.24.jar", "/classes", "/lib/rocksdbjni-10.10.1.1.jar"));
    assertThat(FlinkClusters.shippedJars(cp, CoreOptions.FLINK_PROVIDED_JARS.defaultValue())).containsExactly(
        "/lib/tessera-ingest-flink-0.1.0.jar", "/lib/flink-connector-kafka-5.0.0-2.1.jar", "/lib/flink-sql-connector-x-1.jar",
        "/lib/iceberg-flink-2.1-1.11.0.jar", "/lib/kafka-clients-4.1.2.jar", "/lib/rocksdbjni-10.10.1.1.jar");
  }

  @Test
  void aBadPatternIsOneClearError() {
    assertThatThrownBy(() -> FlinkClusters.shippedJars("/a.jar", "flink-(.jar"))
        .isInstanceOf(TesseraException.class)
        .hasMessageContaining("tessera.flink.provided-jars 'flink-(.jar'")
        .hasMessageContaining("expected a regular expression");
  }
}
