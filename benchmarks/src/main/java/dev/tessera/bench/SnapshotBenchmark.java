package dev.tessera.bench;

import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.snapshot.ProgressListener;
import dev.tessera.offline.snapshot.SnapshotRequest;
import dev.tessera.offline.snapshot.SnapshotResult;
import dev.tessera.offline.snapshot.SnapshotService;
import dev.tessera.offline.table.FeatureRow;
import dev.tessera.offline.table.FeatureTableWriter;
import dev.tessera.offline.table.FeatureTables;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;

/**
 * Point-in-time snapshot throughput: a spine of N rows joined to a customer_activity table of M
 * rows over K keys, by Tessera's local engine and, on the same Parquet files in the same run, by
 * DuckDB's ASOF JOIN (the anchor). Also checks that both give the same values.
 */
public final class SnapshotBenchmark {
  static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  static final long DAY = 86_400_000L;
  static final String[] COUNTRIES = {"DE", "FR", "NL", "US", "GB", "ES", "IT", "PL", "SE", "DK"};

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    long spineRows = Long.parseLong(opts.getOrDefault("spine-rows", "1000000"));
    long rows = Long.parseLong(opts.getOrDefault("rows", "10000000"));
    int keys = Integer.parseInt(opts.getOrDefault("keys", "100000"));
    int days = Integer.parseInt(opts.getOrDefault("days", "30"));
    String buffer = opts.getOrDefault("sort-buffer", "256m");
    Path work = Path.of(opts.getOrDefault("work", "/tmp/tessera-bench"));
    deleteRecursively(work);
    Path home = Files.createDirectories(work.resolve("home"));

    TesseraConfig config = TesseraConfig.defaults(home, Map.of("tessera.snapshot.sort-buffer", buffer));
    Catalog catalog = Catalogs.open(config);
    FeatureTables tables = new FeatureTables(catalog, config.get(OfflineOptions.NAMESPACE));
    ContractRegistry registry = ContractRegistry.fromDirectory(Path.of(opts.getOrDefault("contracts", "contracts/examples")));
    FeatureSetContract contract = registry.get("customer_activity");
    System.out.printf("snapshot benchmark: spine %,d rows, table %,d rows, %,d keys, %d days, sort buffer %s, %d cores%n",
        spineRows, rows, keys, days, buffer, Runtime.getRuntime().availableProcessors());

    long t = System.nanoTime();
    Table table = tables.ensure(contract);
    FeatureTableWriter writer = new FeatureTableWriter(table, contract);
    SplittableRandom random = new SplittableRandom(1);
    long spacing = days * DAY / rows; // every row gets its own event time: no ties between engines
    int batch = 1_000_000;
    for (long start = 0; start < rows; start += batch) {
      List<FeatureRow> chunk = new ArrayList<>(batch);
      for (long i = start; i < Math.min(rows, start + batch); i++) {
        double amount = Math.round(random.nextDouble() * 50_000) / 100.0;
        Object[] values = {(long) random.nextInt(50), amount * 3, amount, amount * 1.5,
            random.nextInt(20) == 0 ? null : COUNTRIES[random.nextInt(COUNTRIES.length)]};
        chunk.add(new FeatureRow(new Object[] {"c-" + random.nextInt(keys)}, values, T0 + i * spacing));
      }
      writer.append(chunk);
    }
    table.refresh();
    System.out.printf("  wrote feature table in %.1fs (%,.0f rows/s, %d data files)%n", secs(t), rows / secs(t), dataFiles(table).size());

    Path spine = work.resolve("spine.parquet");
    writeSpine(spine, spineRows, keys, days, random);

    long[] phaseStart = {System.nanoTime()};
    ProgressListener phases = (phase, done, total) -> {
      if (total >= 0 && done == total) {
        System.out.printf("    %-45s %,12d  %6.2fs%n", phase, done, secs(phaseStart[0]));
        phaseStart[0] = System.nanoTime();
      }
    };
    OfflineOptions.Engine engine = OfflineOptions.Engine.valueOf(opts.getOrDefault("engine", "local").toUpperCase());
    int repeat = Integer.parseInt(opts.getOrDefault("repeat", "1"));
    SnapshotService service = new SnapshotService(config, registry, catalog, phases).withEngine(engine);
    Path out = work.resolve("tessera.parquet");
    Path duckOut = work.resolve("duckdb.parquet");
    String files = dataFiles(table).stream().map(p -> "'" + p + "'").collect(Collectors.joining(","));
    long ttl = contract.ttl().toMillis();
    double[] tesseraSecs = new double[repeat];
    double[] duckSecs = new double[repeat];
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
      s.execute("SET threads=" + Runtime.getRuntime().availableProcessors());
      s.execute("SET temp_directory='" + work.resolve("duck-tmp") + "'");
      s.execute("CREATE VIEW f AS SELECT customer_id, epoch_ms(event_time) AS et, txn_count_1h, amount_sum_24h, amount_avg_7d, amount_max_24h, last_country FROM read_parquet([" + files + "])");
      s.execute("CREATE VIEW s AS SELECT * FROM read_parquet('" + spine + "')");
      String ttlCase = "CASE WHEN s.ts - f.et <= " + ttl + " THEN f.%s END AS customer_activity__%s";
      String cols = Stream.of("txn_count_1h", "amount_sum_24h", "amount_avg_7d", "amount_max_24h", "last_country")
          .map(c -> ttlCase.formatted(c, c)).collect(Collectors.joining(", "));
      // the two engines alternate, so that a slow minute of this machine falls on both
      for (int run = 0; run < repeat; run++) {
        if (repeat > 1) {
          System.out.printf("  run %d of %d (load %s)%n", run + 1, repeat, loadAverage());
        }
        System.gc();
        resetPeaks();
        long[] gc0 = gcCountAndMillis();
        t = System.nanoTime();
        phaseStart[0] = t;
        SnapshotResult result = service.create(new SnapshotRequest(spine.toString(), "ts", List.of("customer_activity:*"), out.toString()));
        tesseraSecs[run] = secs(t);
        long[] gc1 = gcCountAndMillis();
        long heapPeak = heapPeak();
        long rssPeak = rssHighWaterMark();
        // DuckDB runs in this process: after its first run the process's RSS high-water mark is its own
        String rss = run == 0 ? String.format("process RSS peak %,d MiB", rssPeak >> 20) : "process RSS peak: see run 1 (DuckDB's memory counts from here on)";
        System.out.printf("  tessera (" + engine.name().toLowerCase() + " engine): %,d rows in %.2fs = %,.0f spine rows/s (%,.0f table rows/s); heap peak %,d MiB; %s; GC %d collections, %.2fs%n",
            result.manifest().output().rows(), tesseraSecs[run], spineRows / tesseraSecs[run], rows / tesseraSecs[run], heapPeak >> 20, rss,
            gc1[0] - gc0[0], (gc1[1] - gc0[1]) / 1000.0);

        t = System.nanoTime();
        s.execute("COPY (SELECT s.*, " + cols + " FROM s ASOF LEFT JOIN f ON s.customer_id = f.customer_id AND s.ts >= f.et) TO '" + duckOut + "' (FORMAT parquet)");
        duckSecs[run] = secs(t);
        System.out.printf("  duckdb ASOF JOIN (anchor, %d threads): %,d rows in %.2fs = %,.0f spine rows/s%n",
            Runtime.getRuntime().availableProcessors(), spineRows, duckSecs[run], spineRows / duckSecs[run]);
        System.out.printf("  tessera / duckdb time: %.2fx%n", tesseraSecs[run] / duckSecs[run]);
      }
      if (repeat > 1) {
        double[] ratios = new double[repeat];
        for (int run = 0; run < repeat; run++) {
          ratios[run] = tesseraSecs[run] / duckSecs[run];
        }
        System.out.printf("  median of %d runs: tessera %.2fs, duckdb %.2fs, ratio %.2fx (per run: %s)%n", repeat, median(tesseraSecs), median(duckSecs),
            median(ratios), java.util.Arrays.stream(ratios).mapToObj(x -> String.format("%.2fx", x)).collect(Collectors.joining(", ")));
      }
      String diff = Stream.of("txn_count_1h", "amount_sum_24h", "amount_avg_7d", "amount_max_24h", "last_country")
          .map(c -> "t.customer_activity__%s IS DISTINCT FROM d.customer_activity__%s".formatted(c, c)).collect(Collectors.joining(" OR "));
      try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM read_parquet('" + out + "')), (SELECT count(*) FROM read_parquet('" + duckOut + "')),"
          + " (SELECT count(*) FROM read_parquet('" + out + "') t JOIN read_parquet('" + duckOut + "') d USING (row_id) WHERE " + diff + "),"
          + " (SELECT count(*) FROM read_parquet('" + out + "') WHERE customer_activity__txn_count_1h IS NOT NULL)")) {
        rs.next();
        System.out.printf("  check: tessera %,d rows, duckdb %,d rows, %,d rows differ, %,d rows with values%n",
            rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
      }
    }
    if (catalog instanceof AutoCloseable c) {
      c.close();
    }
  }

  static void writeSpine(Path file, long n, int keys, int days, SplittableRandom random) throws IOException {
    Schema schema = new Schema(
        Types.NestedField.required(1, "row_id", Types.LongType.get()),
        Types.NestedField.required(2, "customer_id", Types.StringType.get()),
        Types.NestedField.required(3, "ts", Types.LongType.get()),
        Types.NestedField.required(4, "label", Types.IntegerType.get()));
    try (FileAppender<Record> out = Parquet.write(org.apache.iceberg.Files.localOutput(file.toFile())).schema(schema)
        .createWriterFunc(GenericParquetWriter::create).overwrite().build()) {
      for (long i = 0; i < n; i++) {
        GenericRecord r = GenericRecord.create(schema);
        r.set(0, i);
        r.set(1, "c-" + random.nextInt(keys + keys / 20)); // 5% of spine keys have no rows
        r.set(2, T0 - DAY + (long) (random.nextDouble() * (days + 31) * DAY));
        r.set(3, random.nextInt(2));
        out.add(r);
      }
    }
  }

  static List<String> dataFiles(Table table) throws IOException {
    List<String> out = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(task -> out.add(task.file().location().replaceFirst("^file:", "")));
    }
    return out;
  }

  static void resetPeaks() {
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  /** Collections so far and their time (ms), all collectors (G1: young and mixed pauses, concurrent cycles' pauses). */
  static long[] gcCountAndMillis() {
    long n = 0;
    long ms = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, gc.getCollectionCount());
      ms += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {n, ms};
  }

  static long heapPeak() {
    return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
        .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }

  static long rssHighWaterMark() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    return -1;
  }

  static double median(double[] xs) {
    double[] sorted = xs.clone();
    java.util.Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static String loadAverage() throws IOException {
    String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return parts[0] + " " + parts[1] + " " + parts[2];
  }

  public static double secs(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  public static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      out.put(args[i].substring(2), args[i + 1]);
    }
    return out;
  }

  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
