package dev.tessera.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tessera.cli.up.LocalStack;
import dev.tessera.offline.catalog.EmbeddedS3;
import dev.tessera.sdk.TesseraClient;
import dev.tessera.sdk.offline.TesseraOffline;
import dev.tessera.sdk.offline.TrainingSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The same stack with the Iceberg warehouse on S3 (s3proxy in this JVM): ingest writes data files there, snapshots read them. */
@Timeout(600)
class S3WarehouseEndToEndIT {
  @Test
  void ingestAndSnapshotOnAnS3Warehouse() throws Exception {
    Path home = Files.createTempDirectory("tessera-e2e-s3");
    try (EmbeddedS3 s3 = new EmbeddedS3()) {
      s3.createBucket("lake");
      Map<String, String> s3config = Map.of("tessera.offline.warehouse", "s3://lake/warehouse", "tessera.offline.s3.endpoint", s3.endpoint(),
          "tessera.offline.s3.access-key-id", EmbeddedS3.ACCESS_KEY, "tessera.offline.s3.secret-access-key", EmbeddedS3.SECRET_KEY);
      LocalStack stack = Stack.start(home, Stack.freePort(), s3config);
      try (TesseraClient client = TesseraClient.builder().baseUrl(stack.baseUrl()).apiKey(Stack.API_KEY).build()) {
        long t0 = System.currentTimeMillis();
        List<Stack.Payment> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          events.add(new Stack.Payment("p-" + i, "c-s3-" + (i % 5), "m-1", 10.0, "DE", t0 + i * 100L));
        }
        events.add(new Stack.Payment("tick", "c-tick", "m-1", 1.0, "DE", t0 + Duration.ofMinutes(15).toMillis()));
        Stack.produce(stack.bootstrapServers(), events);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(client.get("customer_activity", Map.of("customer_id", "c-s3-0")).getLong("txn_count_1h")).isEqualTo(10L));
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
            assertThat(s3.list("lake", "warehouse/features/customer_activity__v1/data/")).isNotEmpty());
        Files.writeString(home.resolve("spine.csv"), "customer_id,ts\nc-s3-0," + Instant.ofEpochMilli(t0 + 10_000) + "\n");
        try (TesseraOffline offline = TesseraOffline.open(stack.config(), null)) {
          await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            TrainingSnapshot s = offline.trainingSnapshot(home.resolve("spine.csv").toString(), "ts", List.of("customer_activity:txn_count_1h"),
                home.resolve("s3-" + System.nanoTime() + ".csv").toString());
            assertThat(Files.readAllLines(Path.of(s.output()))).containsExactly("customer_id,ts,customer_activity__txn_count_1h",
                "c-s3-0," + Instant.ofEpochMilli(t0 + 10_000) + ",10");
          });
        }
      } finally {
        stack.close();
      }
    }
  }
}
