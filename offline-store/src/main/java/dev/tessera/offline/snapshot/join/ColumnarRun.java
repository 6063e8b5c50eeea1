package dev.tessera.offline.snapshot.join;

import dev.tessera.contracts.model.FeatureType;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.offline.snapshot.join.PointInTimeJoin.TableRow;
import dev.tessera.offline.snapshot.spine.SpineValues;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * One sorted data file read column by column, page by page ({@link PageColumn}), in batches of
 * rows, instead of row by row through Iceberg's reader. A key is decoded once per entry of its
 * row group's dictionary (every row of that key shares the string), times and values stay in
 * primitive arrays, and a row's values are boxed only when the merge asks for them (mostly when
 * it answers a spine row): of the table's rows only those few are materialized.
 *
 * <p>Only plain flat files are read so: every projected column present in the file by field id,
 * with the physical type Iceberg writes for its type (no promotion), no encryption. For any other
 * file {@link #open} returns null and the join reads it through Iceberg's reader, which gives
 * the same rows. The rows and their values are those of {@code PointInTimeJoin.tableRow}: the
 * same key text ({@link SpineValues#keyPart}), timestamps from microseconds to milliseconds
 * (floor), values coerced to the feature type; rows with a null key or time, or a time outside
 * the scan's bounds, are skipped as the scan's filter does.
 */
final class ColumnarRun implements PointInTimeJoin.SortedRun {
  /** Rows per batch: small enough that a batch per open file stays in the cache's reach, large enough to amortize a hand-off. */
  static final int BATCH = 4096;

  /** How a column is held: see {@link PageColumn#read}. */
  enum Kind { STRING, LONG, INT, DOUBLE, FLOAT, BOOLEAN, TIMESTAMP }

  private final FeatureSetRead read;
  private final String location;
  private final ParquetFileReader reader;
  private final Kind[] kinds;
  private final ColumnDescriptor[] descriptors;
  private final long minMicros;
  private final long maxMicros;

  private final ExecutorService decoders;
  private final int batchRows;
  private final SpineKeys.Walk walk; // null: rows not ranked
  private final SpineKeys.KeyRanks spineKeys;
  private final boolean keyBytes; // ranked from the keys' bytes: no string per key
  private Binary runKey; // the bytes of the last key ranked from its bytes, its rank, the time of its last row
  private int runRank;
  private long runTime;
  private String rankedKey; // the last key ranked, and its rank: a file's rows of one key share its string
  private int rankedAs;
  /*
   * Ranked, rows no spine row can see are dropped: a row answers a spine row at ts only if it is the
   * latest of its key at or before ts, in its file too. So row j of a key is kept only if the
   * first spine time at or after it (of its key) exists and comes before the key's next row in
   * this file (t_j <= ts < t_j+1). Equal times: the later row answers, as in the merge (ties by
   * file and position; the latest offered wins). Each row waits for the next (held).
   */
  private final SpineKeys.SpineTimes spineTimes;
  private PageColumn[] columns;
  private long rowsLeftInGroup;
  private boolean hasMoreGroups = true;
  private boolean closed;
  private Future<Batch> pending;
  private final java.util.Queue<Batch> free = new java.util.concurrent.ConcurrentLinkedQueue<>(); // batches the join is done with
  private Batch batch;
  private int pos;
  private boolean finished;
  private String lastKey; // the last row kept, for the order check
  private long lastTime;

  private ColumnarRun(FeatureSetRead read, String location, ParquetFileReader reader, Kind[] kinds,
      ColumnDescriptor[] descriptors, long minMicros, long maxMicros, ExecutorService decoders, int batchRows, SpineKeys.KeyRanks ranks) {
    this.decoders = decoders;
    this.walk = ranks == null ? null : ranks.walk(); // the file's keys come in order (checked before each is ranked)
    this.spineTimes = ranks == null ? null : ranks.times();
    this.spineKeys = ranks;
    this.keyBytes = walk != null && walk.ranksBytes();
    this.batchRows = batchRows;
    this.read = read;
    this.location = location;
    this.reader = reader;
    this.kinds = kinds;
    this.descriptors = descriptors;
    this.minMicros = minMicros;
    this.maxMicros = maxMicros;
  }

  /**
   * The file as a columnar run, or null when it is not a plain flat file of the projection
   * (the caller then reads it through Iceberg). {@code positions} index the projection's key,
   * features and event time, as {@link PointInTimeJoin#positions}; rows are kept when their
   * event time (microseconds) lies within {@code [minMicros, maxMicros]}. With {@code decoders}
   * (null: none) the next batch of {@code batchRows} is decoded there while the merge consumes this one.
   * With {@code ranks} (null: none) rows carry their key's rank, and rows of keys no spine row has are dropped.
   */
  static ColumnarRun open(Table table, FileScanTask task, Schema projected, int[] positions, FeatureSetRead read,
      long minMicros, long maxMicros, ExecutorService decoders, int batchRows, SpineKeys.KeyRanks ranks) {
    if (task.file().keyMetadata() != null || read.keyColumns().size() != 1 || read.keyTypes().get(0) != FeatureType.STRING) {
      return null;
    }
    String location = task.file().location();
    ParquetFileReader reader;
    try {
      reader = ParquetFileReader.open(new IcebergInput(table.io().newInputFile(location, task.file().fileSizeInBytes())),
          ParquetReadOptions.builder(new PlainParquetConfiguration()).build()); // not a Hadoop Configuration: that loads its XML files per file opened
    } catch (IOException e) {
      throw TesseraException.io("Cannot open " + location, e);
    }
    MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
    List<org.apache.parquet.schema.Type> selected = new ArrayList<>();
    Kind[] kinds = new Kind[positions.length];
    for (int i = 0; i < positions.length; i++) {
      Types.NestedField field = projected.columns().get(positions[i]);
      org.apache.parquet.schema.Type column = byId(fileSchema, field.fieldId());
      kinds[i] = column == null ? null : kind(field.type(), column);
      if (kinds[i] == null || selected.contains(column)) {
        close(reader);
        return null;
      }
      selected.add(column);
    }
    MessageType requested = new MessageType(fileSchema.getName(), selected);
    reader.setRequestedSchema(requested);
    ColumnDescriptor[] descriptors = new ColumnDescriptor[selected.size()];
    for (int i = 0; i < descriptors.length; i++) {
      descriptors[i] = requested.getColumnDescription(new String[] {selected.get(i).getName()});
    }
    return new ColumnarRun(read, location, reader, kinds, descriptors, minMicros, maxMicros, decoders, batchRows, ranks);
  }

  private static org.apache.parquet.schema.Type byId(MessageType schema, int fieldId) {
    for (org.apache.parquet.schema.Type t : schema.getFields()) {
      if (t.getId() != null && t.getId().intValue() == fieldId) {
        return t;
      }
    }
    return null;
  }

  /** How a column is read, when its physical type is exactly the one Iceberg writes for {@code type}; null otherwise. */
  private static Kind kind(Type type, org.apache.parquet.schema.Type column) {
    if (!column.isPrimitive() || column.isRepetition(org.apache.parquet.schema.Type.Repetition.REPEATED)) {
      return null;
    }
    PrimitiveTypeName physical = column.asPrimitiveType().getPrimitiveTypeName();
    LogicalTypeAnnotation logical = column.getLogicalTypeAnnotation();
    return switch (type.typeId()) {
      case STRING -> physical == PrimitiveTypeName.BINARY && logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation ? Kind.STRING : null;
      case LONG -> physical == PrimitiveTypeName.INT64 && logical == null ? Kind.LONG : null;
      case INTEGER -> physical == PrimitiveTypeName.INT32 && logical == null ? Kind.INT : null;
      case DOUBLE -> physical == PrimitiveTypeName.DOUBLE && logical == null ? Kind.DOUBLE : null;
      case FLOAT -> physical == PrimitiveTypeName.FLOAT && logical == null ? Kind.FLOAT : null;
      case BOOLEAN -> physical == PrimitiveTypeName.BOOLEAN && logical == null ? Kind.BOOLEAN : null;
      case TIMESTAMP -> physical == PrimitiveTypeName.INT64
          && logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
          && ts.getUnit() == LogicalTypeAnnotation.TimeUnit.MICROS ? Kind.TIMESTAMP : null;
      default -> null;
    };
  }

  @Override
  public boolean hasNext() {
    while (batch == null || pos >= batch.size) {
      Batch b = finished ? null : nextBatch();
      if (b == null) {
        finished = true;
        return false;
      }
      batch = b;
      pos = 0;
    }
    return true;
  }

  /** The next batch: read here, or (with a decoder pool) taken from the read in flight, the one after it started. */
  private Batch nextBatch() {
    if (decoders == null) {
      return decodeBatch();
    }
    if (pending == null) {
      pending = decoders.submit(this::decodeBatch);
    }
    Batch b;
    try {
      b = pending.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TesseraException(ErrorCode.INTERNAL, "Interrupted while reading " + location, e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new TesseraException(ErrorCode.IO_ERROR, "Cannot read " + location + ": " + e.getCause(), e.getCause());
    }
    pending = b == null ? null : decoders.submit(this::decodeBatch);
    return b;
  }

  @Override
  public TableRow next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    int i = pos++;
    TableRow row = new TableRow(batch.keys[i], batch.times[i], batch.ranks[i], batch, batch.source[i]);
    if (pos == batch.size) {
      row.lastOfBatch = true;
      batch = null; // never read again here: once its rows are consumed it is decoded into again, maybe on another thread
    }
    return row;
  }

  /**
   * The rank of a row's key from its bytes, checking the order as {@link #checkOrder} does: keys
   * ascending, times ascending within a key. A key the walk finds after the last one is in order
   * without comparing the two; otherwise their bytes are compared (as the walk needs them), and a
   * key before the last is confirmed by their text before failing, so that a file in string order
   * whose bytes are not (which only non-ASCII keys can cause) is not refused.
   */
  private int rankFromBytes(Binary key, long time) {
    if (key == runKey) { // a dictionary entry's rows share its bytes
      checkTime(key, time);
      return runRank;
    }
    int rank = walk.rank(key);
    boolean sameKey;
    if (runKey == null) {
      sameKey = false;
    } else if (rank >= 0 && runRank >= 0) {
      if (rank < runRank) {
        throw notSorted(runKey.toStringUsingUTF8(), runTime, key.toStringUsingUTF8(), time);
      }
      sameKey = rank == runRank; // the same key in the next row group: other bytes, equal
    } else {
      int c = org.apache.parquet.schema.PrimitiveComparator.UNSIGNED_LEXICOGRAPHICAL_BINARY_COMPARATOR.compare(runKey, key);
      if (c > 0 && runKey.toStringUsingUTF8().compareTo(key.toStringUsingUTF8()) > 0) {
        throw notSorted(runKey.toStringUsingUTF8(), runTime, key.toStringUsingUTF8(), time);
      }
      sameKey = c == 0;
    }
    if (sameKey) {
      checkTime(key, time);
    }
    runKey = key;
    runRank = rank;
    runTime = time;
    return rank;
  }

  private void checkTime(Binary key, long time) {
    if (time < runTime) {
      throw notSorted(key.toStringUsingUTF8(), runTime, key.toStringUsingUTF8(), time);
    }
    runTime = time;
  }

  private TesseraException notSorted(String lastKey, long lastTime, String key, long time) {
    return PointInTimeJoin.notSorted(read, location, lastKey, lastTime, key, time);
  }

  /** Stops the join when a file marked sorted is not: checked as rows are decoded, a key string shared by its rows compared by reference first. */
  private void checkOrder(String key, long time) {
    if (lastKey != null) {
      int c = key == lastKey ? 0 : lastKey.compareTo(key);
      if (c > 0 || (c == 0 && lastTime > time)) {
        throw notSorted(lastKey, lastTime, key, time);
      }
    }
    lastKey = key;
    lastTime = time;
  }

  /**
   * Reads the next batch of rows of the current row group column by column, then keeps those with
   * a key and a time within the bounds (maybe none); null at the end of the file. One read at a
   * time, never after close.
   */
  private synchronized Batch decodeBatch() {
    if (closed) {
      return null;
    }
    while (rowsLeftInGroup == 0 && hasMoreGroups) {
      nextRowGroup();
    }
    if (rowsLeftInGroup == 0) {
      return null;
    }
    int n = (int) Math.min(batchRows, rowsLeftInGroup);
    rowsLeftInGroup -= n;
    Batch b = free.poll(); // every array is written before it is read again: values of absent rows stay unread
    if (b == null) {
      b = new Batch(kinds, read.featureTypes(), batchRows, free);
    }
    int timeCol = kinds.length - 1;
    try {
      for (int c = 0; c < kinds.length; c++) {
        if (c == 0 && keyBytes) {
          columns[0].readBinaries(n, b.nulls[0], b.keyBytes);
        } else {
          columns[c].read(kinds[c], n, b.nulls[c], b.longs[c], b.doubles[c], c == 0 ? b.keys : b.strings[c]);
        }
      }
    } catch (RuntimeException e) {
      throw new TesseraException(ErrorCode.IO_ERROR, "Cannot read " + location + ": " + e.getMessage(), e);
    }
    long[] micros = b.longs[timeCol];
    int kept = 0;
    int held = -1; // the row that waits for its key's next row: its time, rank, whether a spine time follows it, and which
    long heldTime = 0;
    int heldRank = -1;
    boolean heldSeen = false;
    long heldSpineTime = 0;
    for (int r = 0; r < n; r++) {
      // no key, no time, or a time outside the bounds: the scan's filter drops the row
      if (b.nulls[0][r] || b.nulls[timeCol][r] || micros[r] < minMicros || micros[r] > maxMicros) {
        continue;
      }
      long time = Math.floorDiv(micros[r], 1000L);
      int rank = -1;
      if (keyBytes) {
        rank = rankFromBytes(b.keyBytes[r], time);
        if (rank >= 0) {
          b.keys[r] = spineKeys.key(rank); // the spine's string: none made per key
        }
      } else {
        String key = b.keys[r];
        checkOrder(key, time);
        if (walk != null) {
          if (key != rankedKey) { // by reference: a dictionary entry's rows share one string
            rankedKey = key;
            rankedAs = walk.rank(key);
          }
          rank = rankedAs;
        }
      }
      if (walk != null && rank < 0) {
        continue; // no spine row has this key
      }
      if (spineTimes == null) {
        kept = keep(b, r, kept, time, rank);
        continue;
      }
      // ranked: a row is kept only if some spine row can see it (below); decided at the key's next row
      spineTimes.seek(rank, time);
      if (held >= 0) {
        boolean seen = heldSeen && (rank != heldRank || time > heldSpineTime);
        if (seen) {
          kept = keep(b, held, kept, heldTime, heldRank);
        }
      }
      held = r;
      heldTime = time;
      heldRank = rank;
      heldSeen = spineTimes.has();
      heldSpineTime = heldSeen ? spineTimes.time() : 0;
    }
    if (held >= 0 && heldSeen) { // its key's next row is in the next batch: kept, undecided
      kept = keep(b, held, kept, heldTime, heldRank);
    }
    b.size = kept;
    return b;
  }

  /**
   * Keeps row {@code r} as the batch's row {@code kept}: its key, time and rank there, its values
   * where they were decoded ({@code source}); returns the next free position.
   */
  private static int keep(Batch b, int r, int kept, long time, int rank) {
    b.keys[kept] = b.keys[r];
    b.times[kept] = time;
    b.ranks[kept] = rank;
    b.source[kept] = r;
    return kept + 1;
  }

  /** Opens the next row group's column readers; at the end of the file, clears {@link #hasMoreGroups}. */
  private void nextRowGroup() {
    try {
      PageReadStore pages = reader.readNextRowGroup();
      if (pages == null) {
        hasMoreGroups = false;
        return;
      }
      columns = new PageColumn[descriptors.length];
      for (int i = 0; i < descriptors.length; i++) {
        columns[i] = new PageColumn(descriptors[i], pages.getPageReader(descriptors[i]), kinds[i] != Kind.STRING ? null
            : i == 0 ? this::keyText : Binary::toStringUsingUTF8);
      }
      rowsLeftInGroup = pages.getRowCount();
      if (runKey != null) {
        runKey = Binary.fromConstantByteArray(runKey.getBytes()); // not the last row group's pages
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + location + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    Future<Batch> inFlight = pending;
    if (inFlight != null) {
      inFlight.cancel(false); // not started: never runs; running: the lock below waits for it
    }
    synchronized (this) {
      closed = true;
      close(reader);
    }
  }

  private static void close(ParquetFileReader reader) {
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The key's canonical text ({@link SpineValues#keyPart}) from its bytes. */
  private String keyText(Binary value) {
    return SpineValues.keyPart(value.toStringUsingUTF8(), read.keyTypes().get(0), null, -1);
  }

  /** Up to a batch of kept rows, column by column; a row's values boxed on request, as the row reader gives them. */
  static final class Batch {
    private final Kind[] kinds;
    private final List<FeatureType> types;
    final String[] keys;
    final Binary[] keyBytes;
    final int[] ranks;
    final int[] source; // kept row i's values are at source[i] of the columns
    final long[] times;
    final long[][] longs;
    final double[][] doubles;
    final String[][] strings;
    final boolean[][] nulls;
    int size;

    private final java.util.Queue<Batch> pool;

    Batch(Kind[] kinds, List<FeatureType> types, int capacity, java.util.Queue<Batch> pool) {
      this.pool = pool;
      this.kinds = kinds;
      this.types = types;
      this.keys = new String[capacity];
      this.keyBytes = new Binary[capacity];
      this.source = new int[capacity];
      this.ranks = new int[capacity];
      this.times = new long[capacity];
      int n = kinds.length;
      longs = new long[n][];
      doubles = new double[n][];
      strings = new String[n][];
      nulls = new boolean[n][];
      for (int c = 0; c < n; c++) {
        if (c > 0) {
          switch (kinds[c]) {
            case STRING -> strings[c] = new String[capacity];
            case DOUBLE, FLOAT -> doubles[c] = new double[capacity];
            default -> longs[c] = new long[capacity];
          }
        }
        nulls[c] = new boolean[capacity];
      }
    }

    /**
     * Gives the batch back to its file for the next decode: call when no row of it will be read
     * again (its last row was consumed, no other row of it is held).
     */
    void release() {
      pool.offer(this);
    }

    /** The features of row r, boxed and coerced to the feature types (columns 1..n-2; n-1 is the event time). */
    Object[] values(int r) {
      Object[] out = new Object[kinds.length - 2];
      for (int i = 0; i < out.length; i++) {
        out[i] = value(i + 1, r);
      }
      return out;
    }

    private Object value(int c, int r) {
      if (nulls[c][r]) {
        return null;
      }
      Object v = switch (kinds[c]) {
        case STRING -> strings[c][r];
        case LONG -> longs[c][r];
        case INT -> (int) longs[c][r];
        case BOOLEAN -> longs[c][r] != 0;
        case TIMESTAMP -> Math.floorDiv(longs[c][r], 1000L);
        case DOUBLE -> doubles[c][r];
        case FLOAT -> (float) doubles[c][r];
      };
      return types.get(c - 1).coerce(v);
    }

    /** Sets row r's features into {@code slots} at {@code row}, as {@code slots.set} of {@code values(r)} would, without boxing where the column holds the feature's own type. */
    void copyTo(int r, Matches.Slots slots, int row) {
      for (int c = 1; c < kinds.length - 1; c++) {
        if (nulls[c][r]) {
          continue;
        }
        int f = c - 1;
        FeatureType type = types.get(f);
        if (kinds[c] == Kind.LONG && type == FeatureType.LONG) {
          slots.setLong(f, row, longs[c][r]);
        } else if (kinds[c] == Kind.DOUBLE && type == FeatureType.DOUBLE) {
          slots.setLong(f, row, Double.doubleToRawLongBits(doubles[c][r]));
        } else if (kinds[c] == Kind.STRING && type == FeatureType.STRING) {
          slots.setString(f, row, strings[c][r]);
        } else {
          slots.set(f, row, value(c, r));
        }
      }
    }

    /**
     * Writes row r's features as {@code FeatureValueCodec.write(out, values(r), types)} does, without
     * boxing where the column holds the feature's own type (the usual case).
     */
    void write(DataOutputStream out, int r) throws IOException {
      for (int c = 1; c < kinds.length - 1; c++) {
        FeatureType type = types.get(c - 1);
        boolean present = !nulls[c][r];
        switch (kinds[c]) {
          case LONG -> {
            if (type == FeatureType.LONG) {
              out.writeBoolean(present);
              if (present) {
                out.writeLong(longs[c][r]);
              }
              continue;
            }
          }
          case DOUBLE -> {
            if (type == FeatureType.DOUBLE) {
              out.writeBoolean(present);
              if (present) {
                out.writeDouble(doubles[c][r]);
              }
              continue;
            }
          }
          case STRING -> {
            if (type == FeatureType.STRING) {
              out.writeBoolean(present);
              if (present) {
                FeatureValueCodec.writeString(out, strings[c][r]);
              }
              continue;
            }
          }
          default -> { }
        }
        FeatureValueCodec.writeValue(out, value(c, r), type);
      }
    }
  }

  /** An Iceberg input file (local, S3, ...) as parquet-java's. */
  private record IcebergInput(org.apache.iceberg.io.InputFile file) implements InputFile {
    @Override
    public long getLength() {
      return file.getLength();
    }

    @Override
    public SeekableInputStream newStream() {
      org.apache.iceberg.io.SeekableInputStream in = file.newStream();
      return new DelegatingSeekableInputStream(in) {
        @Override
        public long getPos() throws IOException {
          return in.getPos();
        }

        @Override
        public void seek(long newPos) throws IOException {
          in.seek(newPos);
        }
      };
    }
  }
}
