package dev.tessera.bench;

import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.ingest.backfill.Backfill;
import dev.tessera.ingest.backfill.BackfillResult;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.EventTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.PartitionedFanoutWriter;
import org.apache.iceberg.io.TaskWriter;

/**
 * Backfill throughput: N payments over D days and K customers in the events archive of
 * payments.transactions, replayed into customer_activity's offline rows by the local engine and
 * by the Flink engine (a MiniCluster); the anchor, in the same run, is reading the events table
 * alone (Iceberg's generic reader, every column). Both engines must give the same rows.
 */
public final class BackfillBenchmark {
  static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = SnapshotBenchmark.parse(args);
    long events = Long.parseLong(opts.getOrDefault("events", "1000000"));
    int keys = Integer.parseInt(opts.getOrDefault("keys", "10000"));
    int days = Integer.parseInt(opts.getOrDefault("days", "30"));
    int partitions = Integer.parseInt(opts.getOrDefault("partitions", "2"));
    int parallelism = Integer.parseInt(opts.getOrDefault("parallelism", "2"));
    String buffer = opts.getOrDefault("sort-buffer", "256m");
    Path work = Path.of(opts.getOrDefault("work", "/tmp/tessera-bench-backfill"));
    SnapshotBenchmark.deleteRecursively(work);
    Path home = Files.createDirectories(work.resolve("home"));
    TesseraConfig config = TesseraConfig.defaults(home, Map.of("tessera.snapshot.sort-buffer", buffer,
        "tessera.ingest.parallelism", Integer.toString(parallelism)));
    FeatureSetContract c = ContractRegistry.fromDirectory(Path.of(opts.getOrDefault("contracts", "contracts/examples"))).get("customer_activity");
    System.out.printf("backfill benchmark: %,d events over %d days, %,d keys, %d partitions, sort buffer %s, flink parallelism %d, %d cores%n",
        events, days, keys, partitions, buffer, parallelism, Runtime.getRuntime().availableProcessors());

    Catalog catalog = Catalogs.open(config);
    Table archive = new EventTables(catalog, config.get(OfflineOptions.NAMESPACE)).ensure(c.source().topic(), c.source().schema());
    long t = System.nanoTime();
    writeArchive(archive, events, keys, days, partitions);
    System.out.printf("  wrote the events archive in %.1fs%n", SnapshotBenchmark.secs(t));

    // the anchor: the events table read alone, every column
    for (int run = 0; run < 2; run++) { // the first run warms the JIT and the page cache
      t = System.nanoTime();
      long n = 0;
      archive.refresh();
      try (CloseableIterable<Record> rows = IcebergGenerics.read(archive).build()) {
        for (Record ignored : rows) {
          n++;
        }
      }
      double secs = SnapshotBenchmark.secs(t);
      if (run == 1) {
        System.out.printf("  read the events table alone (anchor): %,d events in %.2fs = %,.0f events/s%n", n, secs, n / secs);
      }
    }

    BackfillResult local = run(config, c, Backfill.Engine.LOCAL);
    BackfillResult flink = run(config, c, Backfill.Engine.FLINK);
    if (local.rows() != flink.rows() || local.accepted() != flink.accepted() || local.keys() != flink.keys()) {
      throw new IllegalStateException("the engines disagree: local " + local + ", flink " + flink);
    }
  }

  private static BackfillResult run(TesseraConfig config, FeatureSetContract c, Backfill.Engine engine) {
    long t = System.nanoTime();
    BackfillResult r = Backfill.run(config, new Backfill.Request(c, null, null, null, false).withSequenceEpoch(1L << 32), engine,
        line -> System.out.println("    " + line));
    double secs = SnapshotBenchmark.secs(t);
    System.out.printf("  backfill, %s engine: %,d events -> %,d rows over %,d keys in %.2fs = %,.0f events/s, %,.0f rows/s%n",
        engine.name().toLowerCase(), r.archived(), r.rows(), r.keys(), secs, r.archived() / secs, r.rows() / secs);
    return r;
  }

  /** Payments in offset order per partition, event time increasing, amounts and countries random (seeded). */
  static void writeArchive(Table table, long n, int keys, int days, int partitions) throws IOException {
    Schema schema = table.schema();
    GenericAppenderFactory appenders = new GenericAppenderFactory(schema, table.spec());
    OutputFileFactory files = OutputFileFactory.builderFor(table, 1, 1).format(FileFormat.PARQUET).build();
    InternalRecordWrapper wrapper = new InternalRecordWrapper(schema.asStruct());
    PartitionKey key = new PartitionKey(table.spec(), schema);
    TaskWriter<Record> writer = new PartitionedFanoutWriter<>(table.spec(), FileFormat.PARQUET, appenders, files, table.io(), 128L << 20) {
      @Override
      protected PartitionKey partition(Record row) {
        key.partition(wrapper.wrap(row));
        return key;
      }
    };
    SplittableRandom r = new SplittableRandom(5);
    String[] countries = {"DE", "FR", "NL", "US"};
    long spacing = days * 86_400_000L / n;
    for (long i = 0; i < n; i++) {
      long time = T0 + i * spacing;
      OffsetDateTime ts = Instant.ofEpochMilli(time).atOffset(ZoneOffset.UTC);
      GenericRecord rec = GenericRecord.create(schema);
      rec.setField(EventTables.SOURCE, EventTables.KAFKA);
      rec.setField(EventTables.PARTITION, (int) (i % partitions));
      rec.setField(EventTables.OFFSET, i / partitions);
      rec.setField(EventTables.EVENT_TIME, ts);
      rec.setField("transaction_id", "t-" + i);
      rec.setField("customer_id", "c-" + r.nextInt(keys));
      rec.setField("merchant_id", "m-" + r.nextInt(1000));
      rec.setField("amount", Math.round(r.nextDouble() * 50_000) / 100.0);
      rec.setField("country", countries[r.nextInt(4)]);
      rec.setField("event_time", ts);
      writer.write(rec);
    }
    AppendFiles append = table.newAppend();
    for (DataFile f : writer.complete().dataFiles()) {
      append.appendFile(f);
    }
    append.commit();
  }
}
