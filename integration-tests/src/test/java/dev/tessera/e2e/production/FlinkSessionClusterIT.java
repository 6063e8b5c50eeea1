package dev.tessera.e2e.production;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.bench.IngestKills;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.testkit.FlinkSessionCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tessera's jobs on a real Flink session cluster (issue 19, part 3): a JobManager and a
 * TaskManager in JVMs of their own, from Maven Central's Flink jars only ({@code flink-dist-local}).
 * The real {@code tessera ingest --flink-rest} submits the streaming job there (shipping Tessera,
 * the Kafka connector and Iceberg, which the cluster lacks) and returns; the job is stopped with a
 * savepoint through the REST API while events keep coming; {@code tessera ingest --resume-from
 * <savepoint> --bounded} resumes it there (the rollout check reads the savepoint) and runs to the
 * end of the topic. Iceberg then holds exactly the rows of the window logic over all events in one
 * go, the reference every MiniCluster ingest test is held to (0 lost, 0 duplicated), and the
 * changelog's last value per key is the last Iceberg row. {@code tessera snapshot --engine flink}
 * runs its join on the cluster and writes the same file as the in-process engine.
 */
@Timeout(600)
class FlinkSessionClusterIT {
  static final Path ROOT = CliProcess.ROOT;
  static final FeatureSetContract C = ContractRegistry.fromDirectory(ROOT.resolve("contracts/examples")).get("customer_activity");

  @TempDir Path home;

  @Test
  void ingestStopWithSavepointResumeAndSnapshotOnASessionCluster() throws Exception {
    try (EmbeddedKafka kafka = new EmbeddedKafka();
        FlinkSessionCluster flink = new FlinkSessionCluster(home.resolve("flink"), ROOT.resolve("flink-dist-local/target/flink-dist.classpath"), 2)) {
      kafka.createTopic(C.source().topic(), 2);
      Files.writeString(home.resolve("tessera.properties"), String.join("\n",
          "tessera.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
          "tessera.contracts.dir=" + ROOT.resolve("contracts/examples"),
          "tessera.flink.rest=" + flink.rest(),
          "tessera.ingest.checkpoint-interval=1s",
          "tessera.ingest.idle-timeout=2s",
          "tessera.ingest.parallelism=2",
          "tessera.ingest.start-from=earliest", "") + "\n");
      Random random = new Random(3);
      Map<String, List<long[]>> byKey = new HashMap<>();
      IngestKills.Events events = new IngestKills.Events(C, random, 2, byKey);
      long t0 = System.currentTimeMillis() - Duration.ofDays(1).toMillis();
      int n = 0;
      kafka.producer().send(CliProcess.events(events, random, 10_000, t0, n));
      n += 10_000;

      // submit: the command returns once the job runs on the cluster
      CliProcess.Result submitted = CliProcess.run(home, Duration.ofMinutes(3), "ingest", "--contract", contractFile().toString());
      assertThat(submitted.exit()).as(submitted.output()).isZero();
      Matcher id = Pattern.compile("submitted job ([0-9a-f]{32}) to the Flink cluster at " + Pattern.quote(flink.rest())).matcher(submitted.output());
      assertThat(id.find()).as(submitted.output()).isTrue();
      String job = id.group(1);
      flink.awaitJobState(job, "RUNNING", Duration.ofMinutes(2));
      assertThat(flink.get("/jobs/" + job).path("name").asText()).isEqualTo("tessera ingest " + C.id());
      int checkpoints = awaitCompletedCheckpoints(flink, job, 1);

      // more events while it runs, read into a checkpoint's state; then stop with a savepoint through the REST API
      kafka.producer().send(CliProcess.events(events, random, 5_000, t0, n));
      n += 5_000;
      awaitCompletedCheckpoints(flink, job, checkpoints + 2); // the second one began after the send
      String savepoint = flink.stopWithSavepoint(job, home.resolve("savepoints"));
      flink.awaitJobState(job, "FINISHED", Duration.ofMinutes(1));
      System.out.println("savepoint: " + savepoint);

      // events while no job runs, then resume from the savepoint on the cluster and run to the end of the topic
      kafka.producer().send(CliProcess.events(events, random, 5_000, t0, n));
      n += 5_000;
      CliProcess.Result resumed = CliProcess.run(home, Duration.ofMinutes(5), "ingest", "--contract", contractFile().toString(),
          "--resume-from", Path.of(java.net.URI.create(savepoint)).toString(), "--bounded");
      assertThat(resumed.exit()).as(resumed.output()).isZero();
      assertThat(resumed.output()).contains("done");
      assertThat(flink.jobs("FINISHED")).as("both runs ran on the cluster").hasSize(2);

      IngestKills.Result r = IngestKills.compare(home, C, byKey, kafka.bootstrapServers(), List.of());
      System.out.println(r);
      assertThat(r.rows()).isEqualTo(r.expectedRows()).isPositive();
      assertThat(r.lost()).as("rows lost").isZero();
      assertThat(r.duplicated()).as("rows duplicated").isZero();
      assertThat(r.changelogMismatches()).as("keys whose last changelog value is not their last Iceberg row").isZero();

      // the point-in-time join as a Flink batch job on the cluster: the same file as the in-process engine
      StringBuilder spine = new StringBuilder("customer_id,ts\n");
      for (int i = 0; i < 300; i++) {
        spine.append("c-").append(random.nextInt(2000)).append(',').append(t0 + random.nextInt(n) * 50L + random.nextInt(3_600_000)).append('\n');
      }
      Path spineFile = Files.writeString(home.resolve("spine.csv"), spine);
      int before = flink.jobs("FINISHED").size();
      CliProcess.Result onCluster = CliProcess.run(home, Duration.ofMinutes(5), "snapshot", "--engine", "flink", "--spine", spineFile.toString(),
          "--time-column", "ts", "--features", "customer_activity:*", "--out", home.resolve("cluster.csv").toString());
      assertThat(onCluster.exit()).as(onCluster.output()).isZero();
      assertThat(onCluster.output()).contains("(engine flink)");
      assertThat(flink.jobs("FINISHED")).as("the join ran on the cluster").hasSize(before + 1);
      CliProcess.Result local = CliProcess.run(home, Duration.ofMinutes(5), "snapshot", "--engine", "local", "--spine", spineFile.toString(),
          "--time-column", "ts", "--features", "customer_activity:*", "--out", home.resolve("local.csv").toString());
      assertThat(local.exit()).as(local.output()).isZero();
      List<String> rows = Files.readAllLines(home.resolve("cluster.csv"));
      assertThat(rows).hasSize(301);
      assertThat(rows.stream().skip(1).filter(l -> !l.endsWith(",,,,,"))).as("rows with values").hasSizeGreaterThan(100);
      assertThat(rows).isEqualTo(Files.readAllLines(home.resolve("local.csv")));
    }
  }


  private static Path contractFile() {
    return ROOT.resolve("contracts/examples/customer_activity.yaml");
  }

  /** Until job {@code job} has completed at least {@code count} checkpoints; returns how many it has. */
  private static int awaitCompletedCheckpoints(FlinkSessionCluster flink, String job, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    int completed;
    while ((completed = flink.get("/jobs/" + job + "/checkpoints").path("counts").path("completed").asInt()) < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(completed + " completed checkpoints of " + job + " within 2 minutes, not " + count + ":\n" + flink.logs());
      }
      Thread.sleep(250);
    }
    return completed;
  }



}
