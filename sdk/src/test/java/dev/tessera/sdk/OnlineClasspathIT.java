package dev.tessera.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The online SDK on a serving application's class path: a child JVM with only the SDK and its
 * non-optional dependencies (Jackson, Arrow) looks features up from the running service, and finds
 * no Flink, Iceberg or Tessera offline class.
 */
@Timeout(300)
class OnlineClasspathIT {
  /** What a serving application's class path holds with tessera-sdk and nothing optional. */
  static final List<String> ALLOWED = List.of("/sdk/target/classes", "/sdk/target/test-classes", "/sdk/target/tessera-sdk-", "/jackson-", "/arrow-", "/flatbuffers-",
      "/commons-codec", "/slf4j-api", "/checker-qual", "/error_prone", "/jsr305");

  @Test
  void onlineClientNeedsNeitherFlinkNorIceberg() throws Exception {
    List<String> cp = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String norm = entry.replace(File.separatorChar, '/');
      if (ALLOWED.stream().anyMatch(norm::contains)) {
        cp.add(entry);
      }
    }
    assertThat(cp).noneMatch(e -> e.contains("flink") || e.contains("iceberg") || e.contains("tessera-offline"));
    try (ServiceFixture fixture = new ServiceFixture()) {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", String.join(File.pathSeparator, cp), Main.class.getName(),
          fixture.baseUrl(), ServiceFixture.FRAUD_KEY).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(out).isZero();
      assertThat(out).contains("txn_count_1h=42").contains("arrow rows=2").contains("no flink, no iceberg");
    }
  }

  /** Runs in the child JVM. */
  public static final class Main {
    public static void main(String[] args) throws Exception {
      for (String absent : Arrays.asList("org.apache.flink.api.common.JobID", "org.apache.iceberg.Table", "dev.tessera.offline.snapshot.SnapshotService")) {
        try {
          Class.forName(absent);
          throw new AssertionError(absent + " is on the class path");
        } catch (ClassNotFoundException expected) {
          // good
        }
      }
      try (TesseraClient client = TesseraClient.builder().baseUrl(args[0]).apiKey(args[1]).build();
          RootAllocator allocator = new RootAllocator();
          VectorSchemaRoot root = client.lookupArrow(List.of("customer_activity:*"),
              List.of(Map.of("customer_id", "c-1"), Map.of("customer_id", "c-2")), allocator)) {
        System.out.println("txn_count_1h=" + client.get("customer_activity", Map.of("customer_id", "c-42")).getLong("txn_count_1h"));
        System.out.println("arrow rows=" + root.getRowCount());
        System.out.println("no flink, no iceberg");
      }
    }
  }
}
