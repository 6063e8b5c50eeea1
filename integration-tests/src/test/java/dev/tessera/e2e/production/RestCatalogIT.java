package dev.tessera.e2e.production;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.bench.IngestKills;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.offline.catalog.EmbeddedS3;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.testkit.IcebergRestCatalogServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline store on a real Iceberg REST catalog (issue 19, part 4): Iceberg's own {@code
 * RESTCatalogServer} in a JVM of its own, a JDBC catalog behind it, the warehouse on S3 (s3proxy).
 * The real {@code tessera ingest} writes through the REST catalog while events arrive; the server
 * is killed with -9 mid-ingest and started again (commits fail meanwhile, the job restores from its
 * last checkpoint and commits again); the ingest JVM is then killed too and resumed bounded from
 * its latest checkpoint. Iceberg, read through the REST catalog, holds exactly the reference rows
 * (0 lost, 0 duplicated). {@code tessera snapshot} and its {@code --replay} (time travel to the
 * snapshot ids in the manifest, after more commits) give the same file through the REST catalog.
 */
@Timeout(600)
class RestCatalogIT {
  static final Path ROOT = CliProcess.ROOT;
  static final FeatureSetContract C = ContractRegistry.fromDirectory(ROOT.resolve("contracts/examples")).get("customer_activity");
  static final Path CONTRACT = ROOT.resolve("contracts/examples/customer_activity.yaml");

  @TempDir Path home;

  @Test
  void ingestSnapshotAndReplayThroughARestCatalogThatRestarts() throws Exception {
    try (EmbeddedS3 s3 = new EmbeddedS3(); EmbeddedKafka kafka = new EmbeddedKafka()) {
      s3.createBucket("lake");
      Map<String, String> s3props = new LinkedHashMap<>();
      s3props.put("warehouse", "s3://lake/warehouse");
      s3props.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
      s3props.put("s3.endpoint", s3.endpoint());
      s3props.put("s3.path-style-access", "true");
      s3props.put("s3.access-key-id", EmbeddedS3.ACCESS_KEY);
      s3props.put("s3.secret-access-key", EmbeddedS3.SECRET_KEY);
      s3props.put("client.region", "us-east-1");
      s3props.put("http-client.type", "urlconnection");
      try (IcebergRestCatalogServer rest = new IcebergRestCatalogServer(home.resolve("rest"),
          ROOT.resolve("iceberg-rest-local/target/iceberg-rest.classpath"), s3props)) {
        kafka.createTopic(C.source().topic(), 2);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("tessera.kafka.bootstrap-servers", kafka.bootstrapServers());
        config.put("tessera.contracts.dir", ROOT.resolve("contracts/examples").toString());
        config.put("tessera.offline.catalog.type", "rest");
        config.put("tessera.offline.catalog.uri", rest.uri());
        config.put("tessera.offline.warehouse", "s3://lake/warehouse");
        config.put("tessera.offline.s3.endpoint", s3.endpoint());
        config.put("tessera.offline.s3.access-key-id", EmbeddedS3.ACCESS_KEY);
        config.put("tessera.offline.s3.secret-access-key", EmbeddedS3.SECRET_KEY);
        config.put("tessera.ingest.checkpoint-interval", "1s");
        config.put("tessera.ingest.idle-timeout", "2s");
        config.put("tessera.ingest.parallelism", "2");
        config.put("tessera.ingest.start-from", "earliest");
        StringBuilder props = new StringBuilder();
        config.forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
        Files.writeString(home.resolve("tessera.properties"), props);

        Random random = new Random(4);
        Map<String, List<long[]>> byKey = new HashMap<>();
        IngestKills.Events events = new IngestKills.Events(C, random, 2, byKey);
        long t0 = System.currentTimeMillis() - Duration.ofDays(1).toMillis();
        kafka.producer().send(CliProcess.events(events, random, 8_000, t0, 0));

        long started = System.currentTimeMillis();
        Process ingest = IngestKills.ingest(home, CONTRACT, null, false);
        try {
          IngestKills.awaitCheckpoint(home, started, ingest);
          awaitCommit(home);
          // the catalog dies mid-ingest, events keep coming, and it comes back on its catalog file
          rest.kill9();
          kafka.producer().send(CliProcess.events(events, random, 6_000, t0, 8_000));
          Thread.sleep(3_000); // the outage: three checkpoint intervals whose commits meet no catalog
          rest.start();
          long back = System.currentTimeMillis();
          kafka.producer().send(CliProcess.events(events, random, 6_000, t0, 14_000));
          IngestKills.awaitCheckpoint(home, back, ingest);
        } finally {
          new ProcessBuilder("kill", "-9", Long.toString(ingest.pid())).start().waitFor();
          ingest.waitFor(30, TimeUnit.SECONDS);
        }
        Path checkpoint = IngestKills.latestCheckpoint(home).orElseThrow();
        Process last = IngestKills.ingest(home, CONTRACT, checkpoint, true);
        assertThat(last.waitFor(5, TimeUnit.MINUTES)).as("the resumed bounded run ends").isTrue();
        assertThat(last.exitValue()).as(Files.readString(home.resolve("ingest.log"))).isZero();

        TesseraConfig tessera = TesseraConfig.defaults(home, config);
        IngestKills.Result r = IngestKills.compare(tessera, C, byKey, kafka.bootstrapServers(), List.of());
        System.out.println(r);
        assertThat(r.rows()).isEqualTo(r.expectedRows()).isPositive();
        assertThat(r.lost()).as("rows lost").isZero();
        assertThat(r.duplicated()).as("rows duplicated").isZero();
        assertThat(r.changelogMismatches()).isZero();
        assertThat(Files.readString(home.resolve("rest/rest-catalog.log"))).as("the catalog server served the commits")
            .contains("Creating rest_backend catalog");

        // snapshot through the REST catalog; more rows committed; the replay still gives the same file
        StringBuilder spine = new StringBuilder("customer_id,ts\n");
        for (int i = 0; i < 200; i++) {
          spine.append("c-").append(random.nextInt(2000)).append(',').append(t0 + random.nextInt(20_000) * 50L).append('\n');
        }
        Path spineFile = Files.writeString(home.resolve("spine.csv"), spine);
        CliProcess.Result snap = CliProcess.run(home, Duration.ofMinutes(5), "snapshot", "--spine", spineFile.toString(), "--time-column", "ts", "--features", "customer_activity:*",
            "--out", home.resolve("train.csv").toString());
        assertThat(snap.exit()).as(snap.output()).isZero();
        List<String> rows = Files.readAllLines(home.resolve("train.csv"));
        assertThat(rows).hasSize(201);
        assertThat(rows.stream().skip(1).filter(l -> !l.endsWith(",,,,,"))).as("rows with values").hasSizeGreaterThan(50);

        kafka.producer().send(CliProcess.events(events, random, 2_000, t0, 20_000));
        Process more = IngestKills.ingest(home, CONTRACT, IngestKills.latestCheckpoint(home).orElseThrow(), true);
        assertThat(more.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(more.exitValue()).as(Files.readString(home.resolve("ingest.log"))).isZero();
        CliProcess.Result replay = CliProcess.run(home, Duration.ofMinutes(5), "snapshot", "--replay", home.resolve("train.csv.manifest.json").toString(),
            "--out", home.resolve("again.csv").toString());
        assertThat(replay.exit()).as(replay.output()).isZero();
        assertThat(Files.readAllLines(home.resolve("again.csv"))).isEqualTo(rows);
      }
    }
  }

  /** Until the REST catalog server has committed to the feature table (the ingest job's checkpoints go through it). */
  private static void awaitCommit(Path home) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!Files.readString(home.resolve("rest/rest-catalog.log")).contains("Successfully committed to table features.customer_activity__v1")) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no commit through the REST catalog within 2 minutes; ingest log:\n" + tail(home.resolve("ingest.log"))
            + "\nREST catalog log:\n" + tail(home.resolve("rest/rest-catalog.log")));
      }
      Thread.sleep(200);
    }
  }


  private static String tail(Path log) throws java.io.IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }


}
