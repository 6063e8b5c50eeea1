package dev.tessera.offline.snapshot.join;

import dev.tessera.offline.snapshot.ProgressListener;
import dev.tessera.offline.snapshot.SnapshotOutput;
import dev.tessera.offline.snapshot.spine.Spine;
import dev.tessera.offline.snapshot.spine.SpineValues;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.errors.TesseraException;
import dev.tessera.offline.table.IcebergValues;
import dev.tessera.offline.sort.ExternalSorter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortDirection;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.data.parquet.InternalReader;
import org.apache.iceberg.expressions.Evaluator;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;

/**
 * The point-in-time join, as a streaming sort-merge with bounded memory. For each spine row
 * {@code (keys, ts)} and each feature set, it takes the latest offline row of that key with
 * {@code event_time <= ts}, and nulls when there is none or it is older than the TTL
 * ({@code ts - event_time > ttl}). Nothing from after {@code ts} can leak in.
 *
 * <p>Per feature set: the spine's (key, ts, row index) is sorted by key and time ({@link
 * SpineKeys}: arrays within the budget, else the {@link ExternalSorter}); the table's rows come in
 * the same order from its data files, those written sorted merged as they are (read column by
 * column by {@link ColumnarRun}, decoded ahead on the other cores) and the others through an
 * external sort; both are merged in one pass (a tournament tree), and the matches are kept by row
 * index ({@link Matches}). A second pass over the spine zips them into output rows in spine order.
 * Memory is bounded by the sort buffer; the spine and tables are never held whole.
 */
public final class PointInTimeJoin {
  private final Catalog catalog;
  private final long sortBuffer;
  private final Path spillDir;
  private final ProgressListener progress;
  private boolean columnar = true;
  private int batchRows = ColumnarRun.BATCH;
  private int cores = Runtime.getRuntime().availableProcessors();

  public PointInTimeJoin(Catalog catalog, long sortBuffer, Path spillDir, ProgressListener progress) {
    this.catalog = catalog;
    this.sortBuffer = sortBuffer;
    this.spillDir = spillDir;
    this.progress = progress;
  }

  /** Reads every data file through Iceberg's row reader, none with {@link ColumnarRun}: for tests comparing the two. */
  PointInTimeJoin rowReaderOnly() {
    columnar = false;
    return this;
  }

  /** Rows per columnar batch: tests use tiny batches to cross many batch boundaries. */
  PointInTimeJoin batchRows(int rows) {
    batchRows = rows;
    return this;
  }

  /** The cores the join may use (threads: merge ahead with 2, decoders beyond): tests run every arrangement on any machine. */
  PointInTimeJoin cores(int n) {
    cores = n;
    return this;
  }

  /** A spine entry; {@code rank}: its key's rank among the spine's keys ({@link SpineKeys#ranks}), -1 when not ranked. */
  record SpineKey(String key, long ts, long idx, int rank) {}

  /** (key, ts, row index), written out as {@link #TABLE_ORDER}. */
  static final Comparator<SpineKey> SPINE_ORDER = (a, b) -> {
    int c = a.key().compareTo(b.key());
    if (c != 0) {
      return c;
    }
    c = Long.compare(a.ts(), b.ts());
    return c != 0 ? c : Long.compare(a.idx(), b.idx());
  };

  /** A table row: key, event time (ms) and features; a columnar file's row boxes its features only when asked. */
  static final class TableRow {
    private final String key;
    private final long time;
    int rank = -1; // the key's rank among the spine's keys, when the join compares ranks
    boolean lastOfBatch; // the last row of its columnar batch: once consumed, the batch may be reused
    private Object[] values;
    private ColumnarRun.Batch batch;
    private int index;

    TableRow(String key, long time, Object[] values) {
      this.key = key;
      this.time = time;
      this.values = values;
    }

    TableRow(String key, long time, int rank, ColumnarRun.Batch batch, int index) {
      this.key = key;
      this.time = time;
      this.rank = rank;
      this.batch = batch;
      this.index = index;
    }

    String key() {
      return key;
    }

    long time() {
      return time;
    }

    /**
     * After this row, the last of its batch, was consumed: keeps {@code held} (a row the caller
     * still holds, or null) readable by boxing its values if it is of the same batch, then gives the
     * batch back to be decoded into again.
     */
    void releaseBatch(TableRow held) {
      if (!lastOfBatch || batch == null) {
        return;
      }
      ColumnarRun.Batch b = batch;
      if (held != null && held.batch == b) {
        held.values();
      }
      batch = null;
      b.release();
    }

    Object[] values() {
      if (batch != null) {
        values = batch.values(index);
        batch = null;
      }
      return values;
    }

    /** Sets the features as the match of spine row {@code row}; a columnar row's straight from its batch. */
    void copyTo(Matches.Slots slots, int row) {
      slots.match(row);
      if (batch != null) {
        batch.copyTo(index, slots, row);
      } else {
        for (int f = 0; f < values.length; f++) {
          slots.set(f, row, values[f]);
        }
      }
    }

    /** Writes the features as {@code FeatureValueCodec.write(out, values(), types)}; a columnar row straight from its batch. */
    void writeValues(DataOutputStream out, List<FeatureType> types) throws IOException {
      if (batch != null) {
        batch.write(out, index);
      } else {
        FeatureValueCodec.write(out, values, types);
      }
    }
  }

  record Match(long idx, Object[] values) {}

  /** Joins and writes every spine row; returns the row count. */
  public long run(Spine spine, String timeColumn, List<FeatureSetRead> reads, SnapshotOutput out) {
    int timeIdx = timeIndex(spine, timeColumn);
    List<int[]> keyIdx = keyIndexes(spine, reads);
    long budget = sortBuffer / (reads.size() + 2);
    List<SpineKeys> spineSorters = new ArrayList<>();
    reads.forEach(r -> spineSorters.add(new SpineKeys(budget, spillDir)));
    long rows = 0;
    long minTs = Long.MAX_VALUE;
    long maxTs = Long.MIN_VALUE;
    int[] needed = java.util.stream.IntStream.concat(java.util.stream.IntStream.of(timeIdx),
        keyIdx.stream().flatMapToInt(java.util.Arrays::stream)).distinct().toArray();
    try (CloseableIterable<Object[]> it = spine.rows(needed)) { // the keys and the time only
      for (Object[] row : it) {
        long ts = SpineValues.toMillis(row[timeIdx], timeColumn, rows + 1);
        minTs = Math.min(minTs, ts);
        maxTs = Math.max(maxTs, ts);
        for (int f = 0; f < reads.size(); f++) {
          String key = key(row, keyIdx.get(f), reads.get(f), rows + 1);
          if (key != null) {
            spineSorters.get(f).add(key, ts, rows);
          }
        }
        rows++;
        if (rows % 100_000 == 0) {
          progress.update("reading spine", rows, -1);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    progress.update("reading spine", rows, rows);

    List<Matches> matches = new ArrayList<>();
    try {
      for (int f = 0; f < reads.size(); f++) {
        FeatureSetRead read = reads.get(f);
        try (SpineKeys spineKeys = spineSorters.get(f);
            TableRows tableRows = readTable(read, minTs, maxTs, budget, spineKeys.ranks())) {
          Matches found = new Matches(read.featureTypes(), rows, budget, spillDir);
          matches.add(found);
          Iterator<TableRow> table = tableRows.sorted(); // first: with a second core it starts reading while a spilled spine side merges
          merge(spineKeys.sorted(), table, read.ttlMillis(), found, tableRows.ranks != null);
          progress.update("joined " + read.featureSet(), f + 1, reads.size());
        }
      }
      writeInSpineOrder(spine, reads, matches.stream().map(Matches::inRowOrder).toList(), rows, out);
    } finally {
      matches.forEach(Matches::close);
      spineSorters.forEach(SpineKeys::close);
    }
    return rows;
  }

  static int timeIndex(Spine spine, String timeColumn) {
    int timeIdx = spine.indexOf(timeColumn);
    if (timeIdx < 0) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot use time column '" + timeColumn
          + "': the spine has no such column (columns: " + columnNames(spine) + ")");
    }
    return timeIdx;
  }

  static List<int[]> keyIndexes(Spine spine, List<FeatureSetRead> reads) {
    List<int[]> keyIdx = new ArrayList<>();
    for (FeatureSetRead read : reads) {
      int[] idx = new int[read.keyColumns().size()];
      for (int k = 0; k < idx.length; k++) {
        idx[k] = spine.indexOf(read.keyColumns().get(k));
        if (idx[k] < 0) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot join " + read.featureSet() + ": the spine has no key column '"
              + read.keyColumns().get(k) + "' (columns: " + columnNames(spine) + ")");
        }
      }
      keyIdx.add(idx);
    }
    return keyIdx;
  }

  /**
   * The table rows some spine row can see, in (key, time) order. Data files written sorted by the
   * table's sort order (key, event time; {@code FeatureTableWriter} marks them with its order id)
   * are read as sorted runs and merged as they are; the others (the streaming sink's) go through
   * the external sorter, whose output is one more run. Sorted runs are used for one string key
   * column, whose order in the file (String order) is the join's, and for at most
   * {@link #MAX_SORTED_RUNS} files within the memory budget (each open file holds a row group).
   */
  TableRows readTable(FeatureSetRead read, long minTs, long maxTs, long budget) {
    return readTable(read, minTs, maxTs, budget, null);
  }

  /**
   * As {@link #readTable(FeatureSetRead, long, long, long)}; with the spine's key {@code ranks}
   * (null: none) rows carry their key's rank, are ordered by it, and rows of keys that no spine
   * row has are dropped as they are read.
   */
  TableRows readTable(FeatureSetRead read, long minTs, long maxTs, long budget, SpineKeys.KeyRanks ranks) {
    Comparator<TableRow> order = ranks == null ? TABLE_ORDER : RANKED_ORDER;
    ExternalSorter<TableRow> sorter = new ExternalSorter<>(tableCodec(read.featureTypes()), order, budget, spillDir);
    TableRows rows = new TableRows(sorter, cores, ranks, order);
    if (read.snapshotId() == null || minTs > maxTs) {
      return rows;
    }
    Table table = catalog.loadTable(TableIdentifier.parse(read.table()));
    if (table.snapshot(read.snapshotId()) == null) {
      throw new TesseraException(ErrorCode.NOT_FOUND, "Cannot read " + read.table() + " at snapshot " + read.snapshotId()
          + ": the snapshot no longer exists (expired); this snapshot cannot be replayed");
    }
    String time = FeatureSetContract.EVENT_TIME_COLUMN;
    // only rows that some spine row can see: not after the last ts, not expired before the first
    Expression filter = Expressions.lessThanOrEqual(time, maxTs * 1000);
    if (read.ttlMillis() != null) {
      filter = Expressions.and(filter, Expressions.greaterThanOrEqual(time, (minTs - read.ttlMillis()) * 1000));
    }
    List<String> columns = new ArrayList<>(read.keyColumns());
    columns.addAll(read.features());
    columns.add(time);
    org.apache.iceberg.TableScan scan = table.newScan().useSnapshot(read.snapshotId()).filter(filter).select(columns);
    Schema projected = scan.schema(); // the snapshot's schema (a replay reads the columns as they were), projected
    int[] positions = positions(projected, read);
    boolean[] micros = timestamps(projected, positions);
    long minMicros = read.ttlMillis() == null ? Long.MIN_VALUE : (minTs - read.ttlMillis()) * 1000;
    long n = 0;
    long openBytes = 0;
    try (CloseableIterable<FileScanTask> tasks = scan.planFiles()) {
      for (FileScanTask task : tasks) {
        if (rows.runs.size() < MAX_SORTED_RUNS && openBytes + task.file().fileSizeInBytes() <= 4 * budget && sortedRun(table, read, task)) {
          openBytes += task.file().fileSizeInBytes();
          SortedRun run = columnar ? ColumnarRun.open(table, task, projected, positions, read, minMicros, maxTs * 1000, rows.decoders(), batchRows, ranks) : null;
          rows.runs.add(run != null ? run : new FileRun(read, task, openFile(table, task, projected), positions, micros, ranks));
          continue;
        }
        try (CloseableIterable<StructLike> records = openFile(table, task, projected)) {
          for (StructLike r : records) {
            TableRow row = ranked(tableRow(read, r, positions, micros), ranks);
            if (row != null) {
              sorter.add(row);
            }
            if (++n % 500_000 == 0) {
              progress.update("reading " + read.table(), n, -1);
            }
          }
        }
      }
    } catch (IOException e) {
      rows.close();
      throw new UncheckedIOException(e);
    } catch (IllegalArgumentException e) {
      rows.close();
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read " + columns + " from " + read.table()
          + " at snapshot " + read.snapshotId() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      rows.close();
      throw e;
    }
    progress.update("reading " + read.table() + " (" + rows.runs.size() + " sorted files merged as they are)", n, n);
    return rows;
  }

  static final int MAX_SORTED_RUNS = 64;

  /** (key, time): written out rather than composed from key extractors, as it runs for every row of every merge step. */
  static final Comparator<TableRow> TABLE_ORDER = PointInTimeJoin::compareRows;

  static int compareRows(TableRow a, TableRow b) {
    int c = a.key().compareTo(b.key());
    return c != 0 ? c : Long.compare(a.time(), b.time());
  }

  /** (key rank, time): the same order as {@link #TABLE_ORDER} for rows ranked by one spine's keys, an int comparison instead of the keys' text. */
  static final Comparator<TableRow> RANKED_ORDER = PointInTimeJoin::compareRanked;

  static int compareRanked(TableRow a, TableRow b) {
    int c = Integer.compare(a.rank, b.rank);
    return c != 0 ? c : Long.compare(a.time(), b.time());
  }

  /** The row with its key's rank; null when it is null or (ranked) no spine row has its key. Unranked ({@code ranks} null): the row. */
  static TableRow ranked(TableRow row, SpineKeys.KeyRanks ranks) {
    if (row == null || ranks == null) {
      return row;
    }
    row.rank = ranks.rank(row.key());
    return row.rank < 0 ? null : row;
  }

  /** Whether a data file can be merged as it is: sorted by (key, event time) with one string key, whole, no deletes. */
  static boolean sortedRun(Table table, FeatureSetRead read, FileScanTask task) {
    Integer orderId = task.file().sortOrderId();
    SortOrder order = table.sortOrders().get(orderId);
    if (orderId == null || order == null || order.isUnsorted() || !task.deletes().isEmpty() || task.start() != 0
        || task.length() != task.file().fileSizeInBytes() || read.keyColumns().size() != 1 || read.keyTypes().get(0) != FeatureType.STRING
        || order.fields().size() != 2) {
      return false;
    }
    var key = order.fields().get(0);
    var time = order.fields().get(1);
    return key.direction() == SortDirection.ASC && key.transform().isIdentity()
        && table.schema().findColumnName(key.sourceId()).equals(read.keyColumns().get(0))
        && time.direction() == SortDirection.ASC && time.transform().isIdentity()
        && table.schema().findColumnName(time.sourceId()).equals(FeatureSetContract.EVENT_TIME_COLUMN);
  }

  /**
   * The rows of one data file (Parquet) of the projection in Iceberg's internal representation
   * (timestamps as microseconds: no date-time objects per row), the scan's residual filter applied
   * to each row.
   */
  private static CloseableIterable<StructLike> openFile(Table table, FileScanTask task, Schema projected) {
    if (task.file().format() != FileFormat.PARQUET) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read " + task.file().location() + ": offline tables are Parquet, this file is "
          + task.file().format());
    }
    CloseableIterable<StructLike> records = Parquet.read(table.io().newInputFile(task.file().location()))
        .project(projected)
        .split(task.start(), task.length())
        .filter(task.residual())
        .createReaderFunc(fileSchema -> InternalReader.create(projected, fileSchema))
        .build();
    Evaluator residual = new Evaluator(projected.asStruct(), task.residual(), true);
    return CloseableIterable.filter(records, residual::eval);
  }

  /** Per position of {@link #positions}: whether the column is a timestamp (internally microseconds). */
  static boolean[] timestamps(Schema projected, int[] positions) {
    boolean[] out = new boolean[positions.length];
    for (int i = 0; i < positions.length; i++) {
      out[i] = projected.columns().get(positions[i]).type().typeId() == org.apache.iceberg.types.Type.TypeID.TIMESTAMP;
    }
    return out;
  }

  /** Positions of the read's key columns, features and event time in the projected schema. */
  static int[] positions(Schema projected, FeatureSetRead read) {
    List<String> names = projected.columns().stream().map(org.apache.iceberg.types.Types.NestedField::name).toList();
    int[] pos = new int[read.keyColumns().size() + read.features().size() + 1];
    int i = 0;
    for (String k : read.keyColumns()) {
      pos[i++] = names.indexOf(k);
    }
    for (String f : read.features()) {
      pos[i++] = names.indexOf(f);
    }
    pos[i] = names.indexOf(FeatureSetContract.EVENT_TIME_COLUMN);
    return pos;
  }

  /** The table's rows in (key, time) order: the sorted files and the sorter's output, merged. Ties: by run, then file order. */
  static final class TableRows implements AutoCloseable {
    final ExternalSorter<TableRow> sorter;
    final List<SortedRun> runs = new ArrayList<>();
    private java.util.concurrent.ExecutorService decoders;
    private ReadAhead<TableRow> ahead;

    private final int cores;
    final SpineKeys.KeyRanks ranks; // null: rows compared by their keys' text
    private final Comparator<TableRow> order;

    TableRows(ExternalSorter<TableRow> sorter, int cores, SpineKeys.KeyRanks ranks, Comparator<TableRow> order) {
      this.sorter = sorter;
      this.cores = cores;
      this.ranks = ranks;
      this.order = order;
    }

    /**
     * Threads that decode the columnar runs' next batches while the merge consumes the current ones:
     * one per core beyond the two of the merge and the join ({@link #sorted}); null (decode in the
     * merge's thread) on two cores or fewer.
     */
    java.util.concurrent.ExecutorService decoders() {
      int threads = cores - 2;
      if (decoders == null && threads > 0) {
        decoders = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
          Thread t = new Thread(r, "snapshot-decoder");
          t.setDaemon(true);
          return t;
        });
      }
      return decoders;
    }

    /**
     * The rows in (key, time) order. With more than one core the runs are read and merged on a
     * thread of their own ({@link ReadAhead}) while the caller joins.
     */
    Iterator<TableRow> sorted() {
      List<Iterator<TableRow>> all = new ArrayList<>(runs);
      all.add(sorter.sorted());
      if (cores < 2) {
        return ExternalSorter.merge(all, order);
      }
      ahead = new ReadAhead<>(() -> ExternalSorter.merge(all, order), "snapshot-merge"); // its first rows read there too
      return ahead;
    }

    @Override
    public void close() {
      if (ahead != null) {
        ahead.close(); // its thread reads the runs: stopped first
      }
      for (SortedRun r : runs) {
        r.close();
      }
      if (decoders != null) {
        decoders.shutdownNow();
      }
      sorter.close();
    }
  }

  /** One sorted data file's rows, in (key, time) order: {@link ColumnarRun} or, for other files, {@link FileRun}. */
  interface SortedRun extends Iterator<TableRow>, AutoCloseable {
    @Override
    void close();
  }

  /** One sorted data file read through Iceberg's reader; a row out of (key, time) order stops the join instead of giving a wrong answer. */
  static final class FileRun implements SortedRun {
    private final FeatureSetRead read;
    private final FileScanTask task;
    private final CloseableIterable<StructLike> records;
    private final CloseableIterator<StructLike> it;
    private final int[] positions;
    private final boolean[] micros;
    private final SpineKeys.KeyRanks ranks;
    private TableRow next;
    private TableRow last;

    FileRun(FeatureSetRead read, FileScanTask task, CloseableIterable<StructLike> records, int[] positions, boolean[] micros,
        SpineKeys.KeyRanks ranks) {
      this.ranks = ranks;
      this.read = read;
      this.task = task;
      this.records = records;
      this.it = records.iterator();
      this.positions = positions;
      this.micros = micros;
    }

    @Override
    public boolean hasNext() {
      while (next == null && it.hasNext()) {
        TableRow row = tableRow(read, it.next(), positions, micros);
        if (row == null) {
          continue;
        }
        if (last != null && TABLE_ORDER.compare(last, row) > 0) { // every row checked, those dropped below too
          throw notSorted(read, task.file().location(), last.key(), last.time(), row.key(), row.time());
        }
        last = row;
        next = ranked(row, ranks);
      }
      return next != null;
    }

    @Override
    public TableRow next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      TableRow row = next;
      next = null;
      return row;
    }

    @Override
    public void close() {
      try {
        it.close();
        records.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The error that stops a join reading a data file marked sorted by (key, event time) that is not: never a wrong answer. */
  static TesseraException notSorted(FeatureSetRead read, String location, String lastKey, long lastTime, String key, long time) {
    return new TesseraException(ErrorCode.INTERNAL, "Cannot join " + read.featureSet() + ": data file " + location
        + " is marked sorted by (key, event_time) but is not (" + lastKey + " at " + lastTime + " before " + key + " at " + time + ")");
  }

  /** A generic table record (of the projection {@code positions} index) as a join row; null when a key column is null. */
  static TableRow tableRow(FeatureSetRead read, Record r, int[] positions) {
    return tableRow(read, i -> IcebergValues.fromIceberg(r.get(positions[i])));
  }

  /** A row in Iceberg's internal representation as a join row: timestamps from microseconds to milliseconds (floor). */
  static TableRow tableRow(FeatureSetRead read, StructLike r, int[] positions, boolean[] micros) {
    return tableRow(read, i -> {
      Object v = r.get(positions[i], Object.class);
      if (v == null) {
        return null;
      }
      if (micros[i]) {
        return Math.floorDiv((Long) v, 1000L);
      }
      return v instanceof CharSequence cs ? cs.toString() : v;
    });
  }

  /** The join row of the values at positions 0..n (keys, features, event time, in the order of {@link #positions}); null when a key is null. */
  private static TableRow tableRow(FeatureSetRead read, java.util.function.IntFunction<Object> value) {
    StringBuilder key = new StringBuilder();
    int nKeys = read.keyColumns().size();
    for (int k = 0; k < nKeys; k++) {
      String part = SpineValues.keyPart(value.apply(k), read.keyTypes().get(k), read.keyColumns().get(k), -1);
      if (part == null) {
        return null;
      }
      appendKeyPart(key, k, part);
    }
    Object[] values = new Object[read.features().size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = read.featureTypes().get(i).coerce(value.apply(nKeys + i));
    }
    long eventTime = (Long) value.apply(nKeys + values.length);
    return new TableRow(key.toString(), eventTime, values);
  }

  /**
   * The sort-merge: both inputs sorted by (key, time), or (key rank, time) when {@code ranked}
   * (the table's rows and the spine's entries ranked by the same {@link SpineKeys#ranks}); each
   * key's rows through {@link AsOf}.
   */
  static void merge(Iterator<SpineKey> spine, Iterator<TableRow> rows, Long ttl, Matches out, boolean ranked) {
    AsOf<TableRow> asOf = new AsOf<>(ttl, TableRow::time);
    SpineKey last = null;
    TableRow next = rows.hasNext() ? rows.next() : null;
    while (spine.hasNext()) {
      SpineKey s = spine.next();
      if (last == null || (ranked ? s.rank() != last.rank() : !s.key().equals(last.key()))) {
        asOf.reset();
      }
      last = s;
      while (next != null) {
        int c = ranked ? Integer.compare(next.rank, s.rank()) : next.key().compareTo(s.key());
        if (c < 0 || (c == 0 && asOf.notAfter(next, s.ts()))) {
          if (c == 0) {
            asOf.offer(next);
          }
          next.releaseBatch(asOf.latest()); // the rows of a file come in order: its batch's rows were all consumed
          next = rows.hasNext() ? rows.next() : null;
        } else {
          break;
        }
      }
      TableRow match = asOf.answer(s.ts());
      if (match != null) {
        out.add(s.idx(), match);
      }
    }
  }

  /** Zips the spine with each feature set's matches ({@code its}: by spine row, ascending) into output rows in spine order. */
  void writeInSpineOrder(Spine spine, List<FeatureSetRead> reads, List<Iterator<Match>> its, long rows, SnapshotOutput out) {
    Match[] heads = new Match[its.size()];
    for (int f = 0; f < heads.length; f++) {
      heads[f] = its.get(f).hasNext() ? its.get(f).next() : null;
    }
    int spineWidth = spine.columns().size();
    int width = spineWidth + reads.stream().mapToInt(r -> r.features().size()).sum();
    long idx = 0;
    try (CloseableIterable<Object[]> it = spine.rows();
        BackgroundWriter writer = new BackgroundWriter(out::write, cores > 1)) {
      for (Object[] row : it) {
        Object[] outRow = new Object[width];
        System.arraycopy(row, 0, outRow, 0, spineWidth);
        int pos = spineWidth;
        for (int f = 0; f < heads.length; f++) {
          int n = reads.get(f).features().size();
          if (heads[f] != null && heads[f].idx() == idx) {
            System.arraycopy(heads[f].values(), 0, outRow, pos, n);
            heads[f] = its.get(f).hasNext() ? its.get(f).next() : null;
          }
          pos += n;
        }
        writer.write(outRow);
        idx++;
        if (idx % 100_000 == 0) {
          progress.update("writing", idx, rows);
        }
      }
      writer.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (idx != rows) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "Cannot finish the snapshot: the spine changed while it was read (" + rows + " rows, then " + idx + ")");
    }
    progress.update("writing", idx, rows);
  }

  static String key(Object[] row, int[] idx, FeatureSetRead read, long rowNumber) {
    if (idx.length == 1) { // the one part is the key's text: no copy
      return SpineValues.keyPart(row[idx[0]], read.keyTypes().get(0), read.keyColumns().get(0), rowNumber);
    }
    StringBuilder key = new StringBuilder();
    for (int k = 0; k < idx.length; k++) {
      String part = SpineValues.keyPart(row[idx[k]], read.keyTypes().get(k), read.keyColumns().get(k), rowNumber);
      if (part == null) {
        return null;
      }
      appendKeyPart(key, k, part);
    }
    return key.toString();
  }

  private static void appendKeyPart(StringBuilder key, int k, String part) {
    if (k > 0) {
      key.append(dev.tessera.contracts.rows.EntityKeys.TEXT_SEPARATOR); // the one text form of a key
    }
    if (part != null) {
      key.append(part);
    }
  }

  private static String columnNames(Spine spine) {
    return String.join(", ", spine.columns().stream().map(Spine.Column::name).toList());
  }

  static final ExternalSorter.Codec<SpineKey> SPINE_CODEC = new ExternalSorter.Codec<>() {
    @Override
    public void write(DataOutputStream out, SpineKey v) throws IOException {
      FeatureValueCodec.writeString(out, v.key());
      out.writeLong(v.ts());
      out.writeLong(v.idx());
    }

    @Override
    public SpineKey read(DataInputStream in) throws IOException {
      return new SpineKey(FeatureValueCodec.readString(in), in.readLong(), in.readLong(), -1);
    }

    @Override
    public long estimatedBytes(SpineKey v) {
      return 80 + 2L * v.key().length();
    }
  };

  static ExternalSorter.Codec<TableRow> tableCodec(List<FeatureType> types) {
    return new ExternalSorter.Codec<>() {
      @Override
      public void write(DataOutputStream out, TableRow v) throws IOException {
        FeatureValueCodec.writeString(out, v.key());
        out.writeLong(v.time());
        out.writeInt(v.rank);
        FeatureValueCodec.write(out, v.values(), types);
      }

      @Override
      public TableRow read(DataInputStream in) throws IOException {
        TableRow row = new TableRow(FeatureValueCodec.readString(in), in.readLong(), null);
        row.rank = in.readInt();
        row.values = FeatureValueCodec.read(in, types);
        return row;
      }

      @Override
      public long estimatedBytes(TableRow v) {
        return 64 + 2L * v.key().length() + FeatureValueCodec.estimate(v.values());
      }
    };
  }

  static ExternalSorter.Codec<Match> matchCodec(List<FeatureType> types) {
    return new ExternalSorter.Codec<>() {
      @Override
      public void write(DataOutputStream out, Match v) throws IOException {
        out.writeLong(v.idx());
        FeatureValueCodec.write(out, v.values(), types);
      }

      @Override
      public Match read(DataInputStream in) throws IOException {
        return new Match(in.readLong(), FeatureValueCodec.read(in, types));
      }

      @Override
      public long estimatedBytes(Match v) {
        return 40 + FeatureValueCodec.estimate(v.values());
      }
    };
  }
}
