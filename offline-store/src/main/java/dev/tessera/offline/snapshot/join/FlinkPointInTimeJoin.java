package dev.tessera.offline.snapshot.join;

import dev.tessera.offline.snapshot.ProgressListener;
import dev.tessera.offline.snapshot.SnapshotOutput;
import dev.tessera.offline.snapshot.spine.CsvSpine;
import dev.tessera.offline.snapshot.spine.ParquetSpine;
import dev.tessera.offline.snapshot.spine.Spine;
import dev.tessera.offline.snapshot.spine.SpineValues;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.errors.TesseraException;
import dev.tessera.offline.sort.ExternalSorter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.parquet.Parquet;

/**
 * The point-in-time join as a Flink batch job, for cluster scale. The job reads the feature
 * tables' data files in parallel (one task per file, FileIO built from the catalog properties on
 * each task manager) and the spine in one task, groups both by (feature set, key) and sweeps each
 * group in time order with the same rule as the local engine. Matches stream back to the client,
 * which orders them by spine row with the bounded-memory sorter and writes the output exactly as
 * the local engine does, so both engines give equal rows. Memory on the cluster is bounded per
 * key (a key's rows and spine rows), not per table.
 */
public final class FlinkPointInTimeJoin {
  /** A spine row or a table row of one (feature set, key). Public fields: a Flink POJO. */
  public static final class Item {
    public int fs;
    public String key;
    public long time;
    public long idx;
    public boolean spine;
    public byte[] values;

    public Item() {}

    Item(int fs, String key, long time, long idx, boolean spine, byte[] values) {
      this.fs = fs;
      this.key = key;
      this.time = time;
      this.idx = idx;
      this.spine = spine;
      this.values = values;
    }
  }

  /** A spine row's values of one feature set. */
  public static final class Result {
    public int fs;
    public long idx;
    public byte[] values;

    public Result() {}

    Result(int fs, long idx, byte[] values) {
      this.fs = fs;
      this.idx = idx;
      this.values = values;
    }
  }

  /** One data file to read for feature set {@code fs}. */
  public static final class FileTask {
    public int fs;
    public String location;
    public long start;
    public long length;

    public FileTask() {}

    FileTask(int fs, String location, long start, long length) {
      this.fs = fs;
      this.location = location;
      this.start = start;
      this.length = length;
    }
  }

  private final Catalog catalog;
  private final Map<String, String> catalogProperties;
  private final StreamExecutionEnvironment env;
  private final PointInTimeJoin local;
  private final long sortBuffer;
  private final Path spillDir;
  private final ProgressListener progress;

  public FlinkPointInTimeJoin(Catalog catalog, Map<String, String> catalogProperties, StreamExecutionEnvironment env,
      long sortBuffer, Path spillDir, ProgressListener progress) {
    this.catalog = catalog;
    this.catalogProperties = new HashMap<>(catalogProperties);
    this.env = env;
    this.local = new PointInTimeJoin(catalog, sortBuffer, spillDir, progress);
    this.sortBuffer = sortBuffer;
    this.spillDir = spillDir;
    this.progress = progress;
  }

  public long run(Spine spine, String timeColumn, List<FeatureSetRead> reads, SnapshotOutput out) {
    if (!(spine instanceof CsvSpine) && !(spine instanceof ParquetSpine)) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot run the snapshot on Flink with a " + spine.format()
          + " spine: the flink engine reads .csv or .parquet spines (use --engine local for iceberg: spines)");
    }
    int timeIdx = PointInTimeJoin.timeIndex(spine, timeColumn);
    List<int[]> keyIdx = PointInTimeJoin.keyIndexes(spine, reads);
    List<FileTask> files = new ArrayList<>();
    List<String> projections = new ArrayList<>();
    for (int f = 0; f < reads.size(); f++) {
      FeatureSetRead read = reads.get(f);
      List<String> columns = new ArrayList<>(read.keyColumns());
      columns.addAll(read.features());
      columns.add(dev.tessera.contracts.model.FeatureSetContract.EVENT_TIME_COLUMN);
      if (read.snapshotId() == null) {
        projections.add(null);
        continue;
      }
      Table table = catalog.loadTable(TableIdentifier.parse(read.table()));
      if (table.snapshot(read.snapshotId()) == null) {
        throw new TesseraException(ErrorCode.NOT_FOUND, "Cannot read " + read.table() + " at snapshot " + read.snapshotId()
            + ": the snapshot no longer exists (expired); this snapshot cannot be replayed");
      }
      projections.add(SchemaParser.toJson(table.schemas().get(table.snapshot(read.snapshotId()).schemaId()).select(columns)));
      try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(read.snapshotId()).select(columns).planFiles()) {
        for (FileScanTask task : tasks) {
          if (!task.deletes().isEmpty() || task.file().format() != FileFormat.PARQUET) {
            throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read " + read.table() + " on Flink: file "
                + task.file().location() + " has delete files or is not Parquet (use --engine local)");
          }
          files.add(new FileTask(f, task.file().location(), task.start(), task.length()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    DataStream<Item> spineItems = env.fromData(List.of(spine.location())).name("spine")
        .flatMap(new ReadSpine(spine.format(), timeIdx, timeColumn, keyIdx, reads)).name("read spine");
    // Flink's collection source cannot be empty: with no data files there is nothing to union
    DataStream<Item> all = files.isEmpty() ? spineItems : spineItems.union(env.fromData(files).name("data files").rebalance()
        .flatMap(new ReadFile(catalogProperties, projections, reads)).name("read feature tables"));
    List<Long> ttls = reads.stream().map(FeatureSetRead::ttlMillis).toList();
    DataStream<Result> results = all
        .keyBy(item -> dev.tessera.contracts.rows.EntityKeys.text(item.fs, item.key))
        .process(new Sweep(new ArrayList<>(ttls))).name("point-in-time sweep");

    List<ExternalSorter<PointInTimeJoin.Match>> matches = new ArrayList<>();
    long budget = sortBuffer / (reads.size() + 1);
    for (FeatureSetRead read : reads) {
      matches.add(new ExternalSorter<>(PointInTimeJoin.matchCodec(read.featureTypes()),
          Comparator.comparingLong(PointInTimeJoin.Match::idx), budget, spillDir));
    }
    long spineRows;
    try {
      long n = 0;
      try (CloseableIterator<Result> it = results.executeAndCollect("tessera snapshot")) {
        while (it.hasNext()) {
          Result r = it.next();
          matches.get(r.fs).add(new PointInTimeJoin.Match(r.idx, decode(r.values, reads.get(r.fs).featureTypes())));
          if (++n % 100_000 == 0) {
            progress.update("flink matches", n, -1);
          }
        }
      } catch (Exception e) {
        throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot run the snapshot job on Flink: " + rootMessage(e), e);
      }
      progress.update("flink matches", n, n);
      spineRows = countRows(spine);
      local.writeInSpineOrder(spine, reads, matches.stream().map(ExternalSorter::sorted).toList(), spineRows, out);
    } finally {
      matches.forEach(ExternalSorter::close);
    }
    return spineRows;
  }

  private static long countRows(Spine spine) {
    long n = 0;
    try (CloseableIterable<Object[]> rows = spine.rows()) {
      for (Object[] ignored : rows) {
        n++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }

  static byte[] encode(Object[] values, List<FeatureType> types) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      FeatureValueCodec.write(out, values, types);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Object[] decode(byte[] bytes, List<FeatureType> types) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return FeatureValueCodec.read(in, types);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  /** Reads the spine (one task) into an Item per (row, feature set) with a non-null key. */
  static final class ReadSpine extends RichFlatMapFunction<String, Item> {
    private final String format;
    private final int timeIdx;
    private final String timeColumn;
    private final List<int[]> keyIdx;
    private final List<FeatureSetRead> reads;

    ReadSpine(String format, int timeIdx, String timeColumn, List<int[]> keyIdx, List<FeatureSetRead> reads) {
      this.format = format;
      this.timeIdx = timeIdx;
      this.timeColumn = timeColumn;
      this.keyIdx = new ArrayList<>(keyIdx);
      this.reads = new ArrayList<>(reads);
    }

    @Override
    public void flatMap(String location, Collector<Item> out) throws IOException {
      Spine spine = format.equals("csv") ? new CsvSpine(Path.of(location)) : new ParquetSpine(Path.of(location));
      long idx = 0;
      try (CloseableIterable<Object[]> rows = spine.rows()) {
        for (Object[] row : rows) {
          long ts = SpineValues.toMillis(row[timeIdx], timeColumn, idx + 1);
          for (int f = 0; f < reads.size(); f++) {
            String key = PointInTimeJoin.key(row, keyIdx.get(f), reads.get(f), idx + 1);
            if (key != null) {
              out.collect(new Item(f, key, ts, idx, true, null));
            }
          }
          idx++;
        }
      }
    }
  }

  /** Reads one data file of a feature table into Items. */
  static final class ReadFile extends RichFlatMapFunction<FileTask, Item> {
    private final Map<String, String> catalogProperties;
    private final List<String> projections;
    private final List<FeatureSetRead> reads;
    private transient FileIO io;
    private transient List<Schema> schemas;

    ReadFile(Map<String, String> catalogProperties, List<String> projections, List<FeatureSetRead> reads) {
      this.catalogProperties = new HashMap<>(catalogProperties);
      this.projections = new ArrayList<>(projections);
      this.reads = new ArrayList<>(reads);
    }

    @Override
    public void open(OpenContext context) {
      String impl = catalogProperties.getOrDefault(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.hadoop.HadoopFileIO");
      io = CatalogUtil.loadFileIO(impl, catalogProperties, new org.apache.hadoop.conf.Configuration());
      schemas = projections.stream().map(p -> p == null ? null : SchemaParser.fromJson(p)).toList();
    }

    @Override
    public void flatMap(FileTask task, Collector<Item> out) throws IOException {
      Schema schema = schemas.get(task.fs);
      FeatureSetRead read = reads.get(task.fs);
      int[] positions = PointInTimeJoin.positions(schema, read);
      try (CloseableIterable<Record> records = Parquet.read(io.newInputFile(task.location)).project(schema)
          .split(task.start, task.length)
          .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema)).build()) {
        for (Record r : records) {
          PointInTimeJoin.TableRow row = PointInTimeJoin.tableRow(read, r, positions);
          if (row != null) {
            out.collect(new Item(task.fs, row.key(), row.time(), -1, false, encode(row.values(), read.featureTypes())));
          }
        }
      }
    }

    @Override
    public void close() {
      if (io != null) {
        io.close();
      }
    }
  }

  /**
   * Collects one (feature set, key) group and, at the end of the key (batch mode fires the
   * timer then), emits for each spine row the latest row at or before its time within the TTL.
   */
  static final class Sweep extends KeyedProcessFunction<String, Item, Result> {
    private final List<Long> ttls;
    private transient ListState<Item> items;

    Sweep(List<Long> ttls) {
      this.ttls = ttls;
    }

    @Override
    public void open(OpenContext context) {
      items = getRuntimeContext().getListState(new ListStateDescriptor<>("items", Item.class));
    }

    @Override
    public void processElement(Item item, Context ctx, Collector<Result> out) throws Exception {
      items.add(item);
      ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Result> out) throws Exception {
      List<Item> spine = new ArrayList<>();
      List<Item> rows = new ArrayList<>();
      for (Item i : items.get()) {
        (i.spine ? spine : rows).add(i);
      }
      items.clear();
      rows.sort(Comparator.comparingLong(i -> i.time));
      spine.sort(Comparator.comparingLong((Item i) -> i.time).thenComparingLong(i -> i.idx));
      if (spine.isEmpty()) {
        return;
      }
      AsOf<Item> asOf = new AsOf<>(ttls.get(spine.get(0).fs), i -> i.time); // one key of one feature set
      int next = 0;
      for (Item s : spine) {
        while (next < rows.size() && asOf.notAfter(rows.get(next), s.time)) {
          asOf.offer(rows.get(next++));
        }
        Item match = asOf.answer(s.time);
        if (match != null) {
          out.collect(new Result(s.fs, s.idx, match.values));
        }
      }
    }
  }
}
