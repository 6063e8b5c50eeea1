package dev.tessera.bench;

import dev.tessera.config.OfflineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.rows.RowValues;
import dev.tessera.ingest.window.FeatureValues;
import dev.tessera.ingest.window.FeatureWindows;
import dev.tessera.ingest.window.KeyState;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.FeatureTables;
import dev.tessera.offline.table.IcebergValues;
import dev.tessera.testkit.ChangelogTopic;
import dev.tessera.testkit.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The "ingest killed repeatedly" fault, shared by {@code IngestKillsIT} (200k events in CI) and
 * {@code bench/run chaos} (1M, {@link ChaosBenchmark}): N events of customer_activity on a 2-partition topic, the real
 * {@code tessera ingest} child JVM killed with -9 at random points and resumed from its latest
 * retained checkpoint each time, then run to the end of the topic; then the Iceberg rows against
 * the window logic over all events in one go (an uninterrupted run), and the changelog's last value
 * per key against the last Iceberg row.
 */
public final class IngestKills {
  /** The checkout: the nearest directory up from here holding the {@code tessera} launcher and the example contracts. */
  public static final Path ROOT = root();
  /** What the run found: rows lost and duplicated (both must be 0), keys whose changelog disagrees, and each recovery. */
  public record Result(long expectedRows, long rows, long lost, long duplicated, long changelogMismatches, List<Double> recoverySeconds) {}

  private IngestKills() {}

  public static Result run(Path home, FeatureSetContract c, int events, int kills, long seed, Consumer<String> log) throws Exception {
    return run(home, c, events, kills, seed, log, Map.of(), 0);
  }

  /**
   * @param settings more {@code tessera.*} properties for the job (e.g. the state backend)
   * @param hotPercent the share of events (percent) that go to one key, {@code c-0}; 0: none
   */
  public static Result run(Path home, FeatureSetContract c, int events, int kills, long seed, Consumer<String> log,
      Map<String, String> settings, int hotPercent) throws Exception {
    Random random = new Random(seed);
    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      kafka.createTopic(c.source().topic(), 2);
      Files.writeString(home.resolve("tessera.properties"), String.join("\n",
          "tessera.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
          "tessera.contracts.dir=" + ROOT.resolve("contracts/examples"),
          "tessera.ingest.checkpoint-interval=1s",
          // the default idleness: a partition slow to deliver after a resume must not count as idle (its events would
          // then reach windows already final, go to the DLQ as late, and the rows differ from the reference)
          "tessera.ingest.idle-timeout=30s",
          "tessera.ingest.parallelism=2",
          "tessera.ingest.start-from=earliest", "") + "\n"
          + settings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue() + "\n").collect(java.util.stream.Collectors.joining()));
      long t0 = System.currentTimeMillis() - Duration.ofDays(2).toMillis();
      Map<String, List<long[]>> byKey = new HashMap<>();
      List<List<ProducerRecord<byte[], byte[]>>> chunks = events(c, events, t0, random, byKey, hotPercent);
      // the events arrive while the job is killed and resumed: about 10 s of production per kill
      long pauseMillis = Math.max(0, kills * 10_000L / chunks.size());
      Thread producer = new Thread(() -> {
        for (var chunk : chunks) {
          kafka.producer().send(chunk);
          try {
            Thread.sleep(pauseMillis);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "chaos-producer");
      producer.start();
      log.accept(String.format("producing %,d events for %,d keys over about %d s", events, byKey.size(), kills * 10));

      List<Double> recoveries = new ArrayList<>();
      Path resume = null;
      long killedAt = 0;
      try {
        for (int k = 0; k < kills; k++) {
          long started = System.currentTimeMillis();
          Process ingest = ingest(home, c, resume, false);
          Path first = awaitCheckpoint(home, started, ingest);
          if (k > 0) {
            recoveries.add((System.nanoTime() - killedAt) / 1e9); // kill -9 until the resumed job completed a checkpoint
          }
          Thread.sleep(random.nextInt(4_000)); // a random point between checkpoints, records in flight
          new ProcessBuilder("kill", "-9", Long.toString(ingest.pid())).start().waitFor();
          killedAt = System.nanoTime();
          ingest.waitFor();
          resume = latestCheckpoint(home).orElseThrow();
          log.accept(String.format("kill %d: %.1f s after start (first checkpoint %s); resuming from %s", k + 1,
              (System.currentTimeMillis() - started) / 1e3, first.getFileName(), home.relativize(resume)));
        }
      } finally {
        producer.join();
      }
      // to the end of the topic: the bounded run finishes, every window final
      long started = System.currentTimeMillis();
      Process last = ingest(home, c, resume, true);
      if (kills > 0) {
        awaitCheckpointOrExit(home, started, last);
        recoveries.add((System.nanoTime() - killedAt) / 1e9);
      }
      if (!last.waitFor(10, TimeUnit.MINUTES) || last.exitValue() != 0) {
        throw new AssertionError("the last tessera ingest did not finish: " + Files.readString(home.resolve("ingest.log")));
      }

      return compare(home, c, byKey, kafka.bootstrapServers(), recoveries);
    }
  }

  /**
   * The Iceberg rows of the run in {@code home} against an uninterrupted run over {@code byKey}'s
   * events (lost and duplicated rows), and the changelog's last value per key against the last
   * Iceberg row.
   */
  public static Result compare(Path home, FeatureSetContract c, Map<String, List<long[]>> byKey, String bootstrap,
      List<Double> recoveries) throws Exception {
    return compare(TesseraConfig.defaults(home, Map.of()), c, byKey, bootstrap, recoveries);
  }

  /** {@link #compare(Path, FeatureSetContract, Map, String, List)} with the catalog and warehouse of {@code config}. */
  public static Result compare(TesseraConfig config, FeatureSetContract c, Map<String, List<long[]>> byKey, String bootstrap,
      List<Double> recoveries) throws Exception {
    Map<String, List<List<Object>>> expected = expected(c, byKey);
    Map<String, List<List<Object>>> got = icebergRows(config, c);
    long expectedRows = expected.values().stream().mapToLong(List::size).sum();
    long rows = got.values().stream().mapToLong(List::size).sum();
    long lost = 0;
    long duplicated = 0;
    for (var e : expected.entrySet()) {
      Map<List<Object>, Integer> have = counts(got.getOrDefault(e.getKey(), List.of()));
      for (var row : counts(e.getValue()).entrySet()) {
        int n = have.getOrDefault(row.getKey(), 0);
        lost += Math.max(0, row.getValue() - n);
        duplicated += Math.max(0, n - row.getValue());
      }
    }
    long extra = rows - (expectedRows - lost) - duplicated; // rows no run should have written
    long mismatches = 0;
    for (var e : ChangelogTopic.latest(bootstrap, c).entrySet()) {
      List<List<Object>> keyRows = got.get(String.valueOf(e.getKey().get(0)));
      RowValues latestRow = e.getValue();
      List<Object> changelogRow = new ArrayList<>(Arrays.asList(latestRow.values()));
      changelogRow.add(latestRow.eventTime());
      if (keyRows == null || !keyRows.get(keyRows.size() - 1).equals(changelogRow)) {
        mismatches++;
      }
    }
    return new Result(expectedRows, rows, lost, duplicated + extra, mismatches, recoveries);
  }

  /**
   * For a failed comparison: how many keys differ, and the first differing rows of the first such
   * key (expected against Iceberg), to tell a lost event (rows diverge from its time on) from
   * anything else.
   */
  public static String differences(TesseraConfig config, FeatureSetContract c, Map<String, List<long[]>> byKey) throws Exception {
    Map<String, List<List<Object>>> expected = expected(c, byKey);
    Map<String, List<List<Object>>> got = icebergRows(config, c);
    List<String> keys = expected.keySet().stream().filter(k -> !expected.get(k).equals(got.getOrDefault(k, List.of()))).toList();
    if (keys.isEmpty()) {
      return "no key differs";
    }
    String key = keys.get(0);
    List<List<Object>> want = expected.get(key);
    List<List<Object>> have = got.getOrDefault(key, List.of());
    int i = 0;
    while (i < Math.min(want.size(), have.size()) && want.get(i).equals(have.get(i))) {
      i++;
    }
    StringBuilder out = new StringBuilder(keys.size() + " of " + expected.size() + " keys differ; first " + key + " ("
        + byKey.get(key).size() + " events, " + want.size() + " rows expected, " + have.size() + " in Iceberg), from row " + i + ":");
    for (int j = i; j < Math.min(i + 3, Math.max(want.size(), have.size())); j++) {
      out.append("\n  expected ").append(j < want.size() ? want.get(j) : "-").append("\n  iceberg  ").append(j < have.size() ? have.get(j) : "-");
    }
    return out.toString();
  }

  private static Path root() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("tessera")) && Files.isDirectory(p.resolve("contracts/examples"))) {
        return p;
      }
    }
    throw new IllegalStateException("not inside a Tessera checkout: " + Path.of("").toAbsolutePath());
  }

  private static Process ingest(Path home, FeatureSetContract c, Path resume, boolean bounded) throws Exception {
    return ingest(home, ROOT.resolve("contracts/examples/" + c.name() + ".yaml"), resume, bounded);
  }

  /** The real {@code tessera ingest} child JVM, its output appended to {@code home/ingest.log}. */
  public static Process ingest(Path home, Path contractFile, Path resume, boolean bounded) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("tessera").toString(), "--home", home.toString(), "ingest",
        "--contract", contractFile.toString()));
    if (bounded) {
      cmd.add("--bounded");
    }
    if (resume != null) {
      cmd.addAll(List.of("--resume-from", resume.toString()));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("ingest.log").toFile()));
    pb.environment().put("TESSERA_NO_BUILD", "1");
    return pb.start();
  }

  /** The first checkpoint completed since {@code sinceMillis} by {@code ingest}, which must keep running meanwhile. */
  public static Path awaitCheckpoint(Path home, long sinceMillis, Process ingest) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      var latest = latestCheckpoint(home);
      if (latest.isPresent() && latest.get().resolve("_metadata").toFile().lastModified() >= sinceMillis) {
        return latest.get();
      }
      if (!ingest.isAlive()) {
        throw new AssertionError("tessera ingest ended (exit " + ingest.exitValue() + ") before it completed a checkpoint: "
            + Files.readString(home.resolve("ingest.log")));
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no checkpoint within 3 minutes: " + Files.readString(home.resolve("ingest.log")));
  }

  /** A checkpoint since {@code sinceMillis}, or the end of a bounded run that finished before its first one. */
  private static void awaitCheckpointOrExit(Path home, long sinceMillis, Process ingest) throws Exception {
    while (ingest.isAlive()) {
      var latest = latestCheckpoint(home);
      if (latest.isPresent() && latest.get().resolve("_metadata").toFile().lastModified() >= sinceMillis) {
        return;
      }
      Thread.sleep(50);
    }
  }

  /** The newest retained checkpoint (a chk-N with its _metadata) of any run so far. */
  public static java.util.Optional<Path> latestCheckpoint(Path home) throws Exception {
    Path dir = home.resolve("checkpoints");
    if (!Files.isDirectory(dir)) {
      return java.util.Optional.empty();
    }
    try (Stream<Path> s = Files.find(dir, 3, (p, a) -> p.getFileName().toString().equals("_metadata"))) {
      return s.max(java.util.Comparator.comparingLong(p -> p.toFile().lastModified())).map(Path::getParent);
    }
  }

  /**
   * Events in event-time order, each key on one partition, in chunks of 5,000 to send; fills
   * {@code byKey} with each key's (time, sequence, amount in cents, country) in order.
   */
  private static List<List<ProducerRecord<byte[], byte[]>>> events(FeatureSetContract c, int n, long t0, Random random,
      Map<String, List<long[]>> byKey, int hotPercent) {
    Events events = new Events(c, random, 2, byKey);
    List<List<ProducerRecord<byte[], byte[]>>> chunks = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int customer = hotPercent > 0 && random.nextInt(100) < hotPercent ? 0 : random.nextInt(2000);
      batch.add(events.event(customer, t0 + i * 50L, true));
      if (batch.size() == 5_000) {
        chunks.add(batch);
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      chunks.add(batch);
    }
    return chunks;
  }

  /**
   * Source events of customer_activity, customer {@code n} on partition {@code n % partitions};
   * remembers per key, in offset order, what the window logic needs to compute the reference rows
   * (time, sequence, amount in cents, country) of the events expected to be accepted.
   */
  public static final class Events {
    private static final String[] COUNTRIES = {"DE", "FR", "NL", "US"};
    private final FeatureSetContract contract;
    private final Schema schema;
    private final GenericDatumWriter<GenericRecord> writer;
    private final Random random;
    private final long[] offsets;
    private final Map<String, List<long[]>> byKey;
    private BinaryEncoder enc;
    private int sent;

    public Events(FeatureSetContract contract, Random random, int partitions, Map<String, List<long[]>> byKey) {
      this.contract = contract;
      this.schema = contract.source().schema();
      this.writer = new GenericDatumWriter<>(schema);
      this.random = random;
      this.offsets = new long[partitions];
      this.byKey = byKey;
    }

    /** The next event of {@code customer} at {@code time}; {@code accepted}: part of the reference (else expected in the DLQ). */
    public ProducerRecord<byte[], byte[]> event(int customer, long time, boolean accepted) {
      int partition = customer % offsets.length;
      long amountCents = random.nextInt(50_000);
      int country = random.nextInt(4);
      GenericRecord r = new GenericData.Record(schema);
      r.put("transaction_id", "t-" + sent++);
      r.put("customer_id", "c-" + customer);
      r.put("merchant_id", "m-" + random.nextInt(100));
      r.put("amount", amountCents / 100.0);
      r.put("country", COUNTRIES[country]);
      r.put("event_time", time);
      ByteArrayOutputStream out = new ByteArrayOutputStream(64);
      enc = EncoderFactory.get().binaryEncoder(out, enc);
      try {
        writer.write(r, enc);
        enc.flush();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      long offset = offsets[partition]++;
      if (accepted) {
        byKey.computeIfAbsent("c-" + customer, k -> new ArrayList<>())
            .add(new long[] {time, dev.tessera.ingest.decode.EventOrder.sequence(partition, offset), amountCents, country});
      }
      return new ProducerRecord<>(contract.source().topic(), partition, null, out.toByteArray());
    }
  }

  /** The final rows of an uninterrupted run: the window logic over each key's events in one go, then the end of input. */
  public static Map<String, List<List<Object>>> expected(FeatureSetContract c, Map<String, List<long[]>> byKey) {
    FeatureWindows windows = new FeatureWindows(c);
    String[] countries = {"DE", "FR", "NL", "US"};
    Map<String, List<List<Object>>> out = new TreeMap<>();
    byKey.forEach((key, events) -> {
      KeyState s = windows.newState();
      for (long[] e : events) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("transaction_id", "x");
        fields.put("customer_id", key);
        fields.put("merchant_id", "m");
        fields.put("amount", e[2] / 100.0);
        fields.put("country", countries[(int) e[3]]);
        fields.put("event_time", e[0]);
        windows.onEvent(s, e[0], e[1], windows.project(fields));
      }
      for (FeatureValues v : windows.finalizeUntil(s, Long.MAX_VALUE - 1)) {
        List<Object> row = new ArrayList<>(Arrays.asList(v.values()));
        row.add(v.eventTime());
        out.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
      }
    });
    return out;
  }

  public static Map<String, List<List<Object>>> icebergRows(Path home, FeatureSetContract c) throws Exception {
    return icebergRows(TesseraConfig.defaults(home, Map.of()), c);
  }

  public static Map<String, List<List<Object>>> icebergRows(TesseraConfig config, FeatureSetContract c) throws Exception {
    Catalog catalog = Catalogs.open(config);
    Map<String, List<List<Object>>> out = new TreeMap<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(new FeatureTables(catalog, config.get(OfflineOptions.NAMESPACE)).load(c))
        .build()) {
      for (Record r : records) {
        List<Object> row = new ArrayList<>();
        for (String f : c.featureNames()) {
          row.add(IcebergValues.fromIceberg(r.getField(f)));
        }
        row.add(IcebergValues.fromIceberg(r.getField(FeatureSetContract.EVENT_TIME_COLUMN)));
        out.computeIfAbsent(String.valueOf(r.getField(c.entity().keyNames().get(0))), k -> new ArrayList<>()).add(row);
      }
    } finally {
      if (catalog instanceof AutoCloseable a) {
        a.close();
      }
    }
    out.values().forEach(l -> l.sort(java.util.Comparator.comparingLong(row -> (Long) row.get(row.size() - 1))));
    return out;
  }

  private static Map<List<Object>, Integer> counts(List<List<Object>> rows) {
    Map<List<Object>, Integer> out = new HashMap<>();
    rows.forEach(r -> out.merge(r, 1, Integer::sum));
    return out;
  }
}
