package dev.tessera.offline.table;

import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.PartitionedFanoutWriter;
import org.apache.iceberg.io.TaskWriter;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;

/**
 * Replaces a feature table's rows in an event-time range with other rows, as one Iceberg snapshot
 * (copy-on-write): data files that lie wholly in the range are dropped, files that straddle it are
 * rewritten with their rows outside the range, and the new rows are added. Older snapshots, and
 * so the manifests of earlier training snapshots, keep reading the old rows. The commit validates
 * against the snapshot the overwrite started from: a concurrent write into the range fails it
 * rather than being lost.
 *
 * <p>{@code
 * FeatureTableOverwrite overwrite = FeatureTableOverwrite.begin(table, contract, from, null);
 * rows.forEach(overwrite::write);
 * long snapshotId = overwrite.commit();
 * }
 */
public final class FeatureTableOverwrite implements AutoCloseable {
  private final Table table;
  private final FeatureSetContract contract;
  private final long from;
  private final Long to;
  private final Long startSnapshot;
  private final Schema schema;
  private final Types.NestedField time;
  private final RowFiles writer;
  private final List<DataFile> added = new ArrayList<>();
  private long addedRows;
  private boolean committed;

  private FeatureTableOverwrite(Table table, FeatureSetContract contract, long from, Long to, Long startSnapshot) {
    this.table = table;
    this.contract = contract;
    this.from = from;
    this.to = to;
    this.startSnapshot = startSnapshot;
    this.schema = table.schema();
    this.time = schema.findField(FeatureSetContract.EVENT_TIME_COLUMN);
    this.writer = new RowFiles(table, contract, 0, System.nanoTime());
  }

  /** Starts replacing the rows with event time in {@code [from, to]} ({@code to} null: no upper bound). */
  public static FeatureTableOverwrite begin(Table table, FeatureSetContract contract, long from, Long to) {
    return begin(table, contract, from, to, currentSnapshot(table));
  }

  /**
   * As {@link #begin(Table, FeatureSetContract, long, Long)}, validating against {@code
   * startSnapshot} (taken with {@link #currentSnapshot} before the rows were computed elsewhere).
   */
  public static FeatureTableOverwrite begin(Table table, FeatureSetContract contract, long from, Long to, Long startSnapshot) {
    return new FeatureTableOverwrite(table, contract, from, to, startSnapshot);
  }

  /** The table's current snapshot id, null for an empty table. */
  public static Long currentSnapshot(Table table) {
    Snapshot current = table.currentSnapshot();
    return current == null ? null : current.snapshotId();
  }

  /** Adds one row; its event time must lie in the range. */
  public void write(FeatureRow row) {
    checkRange(row);
    writer.write(row);
  }

  /**
   * Adds data files written elsewhere (by {@link RowFiles} in the tasks of a Flink job) with rows
   * in the range; they are deleted if the overwrite does not commit.
   */
  public void addFiles(List<DataFile> files) {
    for (DataFile f : files) {
      added.add(f);
      addedRows += f.recordCount();
    }
  }

  public long rowsWritten() {
    return writer.rows() + addedRows;
  }

  /** Commits the replacement as one snapshot; returns its id. */
  public long commit() {
    Expression range = range();
    OverwriteFiles overwrite = table.newOverwrite();
    for (DataFile f : writer.complete()) {
      overwrite.addFile(f);
    }
    for (DataFile f : added) {
      overwrite.addFile(f);
    }
    if (startSnapshot != null) {
      RowFiles kept = new RowFiles(table, contract, 1, System.nanoTime());
      try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(startSnapshot).filter(range).planFiles()) {
        for (FileScanTask task : tasks) {
          overwrite.deleteFile(task.file());
          // keep the file's rows outside the range (the scan filter only prunes files)
          try (CloseableIterable<Record> rows = Parquet.read(table.io().newInputFile(task.file().location())).project(schema)
              .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema)).build()) {
            for (Record r : rows) {
              long t = (Long) IcebergValues.fromIceberg(r.getField(time.name()));
              if (t < from || (to != null && t > to)) {
                kept.writeRecord(r);
              }
            }
          }
        }
        for (DataFile f : kept.complete()) {
          overwrite.addFile(f);
        }
      } catch (IOException e) {
        kept.abort();
        throw TesseraException.io("Cannot rewrite the data files of " + table.name(), e);
      }
      overwrite.validateFromSnapshot(startSnapshot).conflictDetectionFilter(range).validateNoConflictingData().validateNoConflictingDeletes();
    }
    overwrite.set("tessera.operation", "backfill").set("tessera.contract.version", contract.version().toString())
        .set("tessera.backfill.range", from + ".." + (to == null ? "" : to));
    overwrite.commit();
    committed = true;
    table.refresh();
    return table.currentSnapshot().snapshotId();
  }

  private void checkRange(FeatureRow row) {
    if (row.eventTime() < from || (to != null && row.eventTime() > to)) {
      throw new TesseraException(ErrorCode.INTERNAL, "Cannot write row " + row + " to " + table.name() + ": its event time is outside ["
          + from + ", " + (to == null ? "+inf" : to) + "]");
    }
  }

  private Expression range() {
    long fromMicros = from * 1000;
    Expression lower = Expressions.greaterThanOrEqual(time.name(), fromMicros);
    return to == null ? lower : Expressions.and(lower, Expressions.lessThanOrEqual(time.name(), to * 1000 + 999));
  }

  /** Deletes the files written or added so far unless {@link #commit} succeeded. */
  @Override
  public void close() {
    if (!committed) {
      writer.abort();
      for (DataFile f : added) {
        table.io().deleteFile(f.location());
      }
    }
  }

  /**
   * Writes feature rows of a table to new Parquet data files, one open file per day partition
   * (rolled at 128 MiB), not yet committed. A Flink task writes with one (the table a {@code
   * SerializableTable} copy) and hands its files to the client that commits.
   */
  public static final class RowFiles {
    private final String tableName;
    private final Schema schema;
    private final List<Types.NestedField> keyFields;
    private final List<Types.NestedField> featureFields;
    private final Types.NestedField time;
    private final TaskWriter<Record> writer;
    private long rows;

    /** {@code partitionId} and {@code taskId} make the file names of concurrent writers distinct. */
    public RowFiles(Table table, FeatureSetContract contract, int partitionId, long taskId) {
      this.tableName = table.name();
      this.schema = table.schema();
      this.keyFields = contract.entity().keyNames().stream().map(schema::findField).toList();
      this.featureFields = contract.featureNames().stream().map(schema::findField).toList();
      this.time = schema.findField(FeatureSetContract.EVENT_TIME_COLUMN);
      GenericAppenderFactory appenders = new GenericAppenderFactory(schema, table.spec()).setAll(table.properties()); // the table's codec (zstd), row group size
      OutputFileFactory files = OutputFileFactory.builderFor(table, partitionId, taskId).format(FileFormat.PARQUET).build();
      InternalRecordWrapper wrapper = new InternalRecordWrapper(schema.asStruct());
      PartitionKey key = new PartitionKey(table.spec(), schema);
      this.writer = new PartitionedFanoutWriter<>(table.spec(), FileFormat.PARQUET, appenders, files, table.io(), 128L << 20) {
        @Override
        protected PartitionKey partition(Record row) {
          key.partition(wrapper.wrap(row));
          return key;
        }
      };
    }

    public void write(FeatureRow row) {
      GenericRecord record = GenericRecord.create(schema);
      for (int i = 0; i < keyFields.size(); i++) {
        record.setField(keyFields.get(i).name(), IcebergValues.toIceberg(row.keys()[i], keyFields.get(i).type()));
      }
      for (int i = 0; i < featureFields.size(); i++) {
        record.setField(featureFields.get(i).name(), IcebergValues.toIceberg(row.values()[i], featureFields.get(i).type()));
      }
      record.setField(time.name(), IcebergValues.toIceberg(row.eventTime(), time.type()));
      writeRecord(record);
    }

    void writeRecord(Record record) {
      try {
        writer.write(record);
      } catch (IOException e) {
        throw TesseraException.io("Cannot write a data file of " + tableName, e);
      }
      rows++;
    }

    public long rows() {
      return rows;
    }

    /** Closes the open files; returns every file written. */
    public List<DataFile> complete() {
      try {
        return List.of(writer.complete().dataFiles());
      } catch (IOException e) {
        throw TesseraException.io("Cannot finish the data files of " + tableName, e);
      }
    }

    /** Deletes the files written. */
    public void abort() {
      try {
        writer.abort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
