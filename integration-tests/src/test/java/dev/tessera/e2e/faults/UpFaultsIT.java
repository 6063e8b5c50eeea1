package dev.tessera.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults of the local stack, on real processes (`./tessera up` and its child JVMs), one after the
 * other in one run:
 *
 * <ol>
 *   <li>online-serving killed (-9): up restarts it with a backoff; it resumes from its stored
 *       offsets (reads only what it missed) and answers again;
 *   <li>the Kafka broker killed (-9): up restarts it; the ingest job's clients reconnect and new
 *       events reach the online store again; the job never fails;
 *   <li>up itself killed (-9): no child outlives it, and the next up resumes from the latest
 *       checkpoint instead of failing or starting over.
 * </ol>
 */
@Timeout(600)
class UpFaultsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = "faults-key";
  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void crashedPartsAreRestartedAndAnUncleanStopResumes() throws Exception {
    Path home = Files.createTempDirectory("tessera-up-faults");
    Files.writeString(home.resolve("tessera.properties"), "tessera.ingest.checkpoint-interval=2s\ntessera.ingest.idle-timeout=2s\n");
    int port = UpProcess.freePort();
    String base = "http://localhost:" + port;
    try (UpProcess up = UpProcess.start(home, port, 50, KEY)) {
      String bootstrap = up.awaitLine(l -> l.trim().startsWith("Kafka ")).trim().split("\\s+")[1];
      long t1 = await().atMost(Duration.ofSeconds(60)).until(() -> eventTime(base, "c-1"), t -> t > 0);
      await("a retained checkpoint").atMost(Duration.ofSeconds(60)).until(() -> checkpoints(home) > 0);
      await("some changelog history").atMost(Duration.ofSeconds(120)).until(() -> changelogRecords(bootstrap) > 1500);

      // 1. online-serving killed: restarted, from its stored offsets
      Map<String, JsonNode> served = new java.util.HashMap<>();
      for (int i = 1; i <= 30; i++) {
        served.put("c-" + i, featureSet(base, "c-" + i));
      }
      long before = changelogRecords(bootstrap);
      UpProcess.kill9(up.service());
      up.awaitLine(l -> l.contains("online") && l.contains("restarted"), Duration.ofSeconds(120));
      JsonNode ready = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      long applied = ready.at("/checks/0/data/applied_records").asLong();
      long after = changelogRecords(bootstrap);
      System.out.printf("online-serving restarted: %d changelog records before the kill, %d now, %d read after the restart%n",
          before, after, applied);
      // the changelog grew while it was down (the job kept writing): it read about that, not the history before the kill
      assertThat(applied).as("records read after the restart: those it missed (%d written since the kill), not the %d before it",
          after - before, before).isLessThan(after - before / 2);
      assertThat(eventTime(base, "c-1")).isGreaterThanOrEqualTo(t1);
      // the same values: each key answers what it answered before the kill, or a newer row
      for (var e : served.entrySet()) {
        JsonNode now = featureSet(base, e.getKey());
        long then = e.getValue().path("event_time").asLong(-1);
        assertThat(now.path("event_time").asLong(-1)).as("event time of " + e.getKey()).isGreaterThanOrEqualTo(then);
        if (now.path("event_time").asLong(-1) == then) {
          assertThat(now.path("values")).as("values of " + e.getKey()).isEqualTo(e.getValue().path("values"));
        }
      }

      // 2. the broker killed: restarted, and new events flow through the job again
      long t2 = eventTime(base, "c-1");
      UpProcess.kill9(up.broker());
      up.awaitLine(l -> l.contains("kafka") && l.contains("restarted"), Duration.ofSeconds(180));
      await("events after the broker restart reach the online store").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2))
          .until(() -> latestEventTime(base) > Math.max(t2, System.currentTimeMillis() - 120_000));
      assertThat(up.lines).noneMatch(l -> l.startsWith("tessera up: the ingest job"));

      // 3. up killed: no orphan
      List<ProcessHandle> children = up.process.descendants().toList();
      up.process.destroyForcibly().waitFor();
      for (ProcessHandle c : children) {
        c.onExit().get(60, TimeUnit.SECONDS);
        assertThat(c.isAlive()).as("orphan: " + c.info().commandLine().orElse("?")).isFalse();
      }
    }
    // ... and the next up resumes from the latest checkpoint
    try (UpProcess again = UpProcess.start(home, port, 0, KEY)) {
      assertThat(again.lines).anyMatch(l -> l.contains("submitting") && l.contains("resuming from"))
          .noneMatch(l -> l.contains("starting without state"));
      assertThat(eventTime(base, "c-1")).isPositive();
      // SIGTERM: the orderly stop (Process.destroy() would also close our end of its output)
      new ProcessBuilder("kill", "-TERM", Long.toString(again.process.pid())).start().waitFor();
      again.awaitLine(l -> l.startsWith("tessera up: stopped"), Duration.ofSeconds(120));
      assertThat(again.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
  }

  private long eventTime(String base, String customer) throws Exception {
    return featureSet(base, customer).path("event_time").asLong(-1);
  }

  /** The customer_activity answer of one customer (missing node when not 200). */
  private JsonNode featureSet(String base, String customer) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/features/customer_activity?customer_id=" + customer))
        .header("X-API-Key", KEY).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() != 200 ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
        : JSON.readTree(r.body()).at("/feature_sets/customer_activity");
  }

  /** The newest event time over a sample of customers. */
  private long latestEventTime(String base) throws Exception {
    long max = -1;
    for (int i = 1; i <= 30; i++) {
      max = Math.max(max, eventTime(base, "c-" + i));
    }
    return max;
  }

  private static long checkpoints(Path home) throws Exception {
    Path dir = home.resolve("checkpoints");
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.find(dir, 3, (p, a) -> p.getFileName().toString().equals("_metadata"))) {
      return s.count();
    }
  }

  private static long changelogRecords(String bootstrap) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(p)) {
      List<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream().filter(t -> t.startsWith("tessera.online.")).toList();
      Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
      admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).forEach((name, d) ->
          d.partitions().forEach(part -> request.put(new TopicPartition(name, part.partition()), OffsetSpec.latest())));
      return admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values().stream().mapToLong(i -> i.offset()).sum();
    }
  }
}
