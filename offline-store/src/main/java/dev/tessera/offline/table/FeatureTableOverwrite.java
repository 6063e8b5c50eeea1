package dev.tessera.offline.table;

import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.api.TesseraException;
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
import org.apache.iceberg.io.WriteResult;
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
  private final List<Types.NestedField> keyFields;
  private final List<Types.NestedField> featureFields;
  private final Types.NestedField time;
  private final TaskWriter<Record> writer;
  private long written;
  private boolean committed;

  private FeatureTableOverwrite(Table table, FeatureSetContract contract, long from, Long to) {
    this.table = table;
    this.contract = contract;
    this.from = from;
    this.to = to;
    Snapshot current = table.currentSnapshot();
    this.startSnapshot = current == null ? null : current.snapshotId();
    this.schema = table.schema();
    this.keyFields = contract.entity().keyNames().stream().map(schema::findField).toList();
    this.featureFields = contract.featureNames().stream().map(schema::findField).toList();
    this.time = schema.findField(FeatureSetContract.EVENT_TIME_COLUMN);
    this.writer = newWriter();
  }

  /** Starts replacing the rows with event time in {@code [from, to]} ({@code to} null: no upper bound). */
  public static FeatureTableOverwrite begin(Table table, FeatureSetContract contract, long from, Long to) {
    return new FeatureTableOverwrite(table, contract, from, to);
  }

  /** Adds one row; its event time must lie in the range. */
  public void write(FeatureRow row) {
    if (row.eventTime() < from || (to != null && row.eventTime() > to)) {
      throw new TesseraException(ErrorCode.INTERNAL, "Cannot write row " + row + " to " + table.name() + ": its event time is outside ["
          + from + ", " + (to == null ? "+inf" : to) + "]");
    }
    try {
      writer.write(record(row));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write a data file of " + table.name(), e);
    }
    written++;
  }

  public long rowsWritten() {
    return written;
  }

  /** Commits the replacement as one snapshot; returns its id. */
  public long commit() {
    WriteResult added;
    try {
      added = writer.complete();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot finish the data files of " + table.name(), e);
    }
    Expression range = range();
    OverwriteFiles overwrite = table.newOverwrite();
    for (DataFile f : added.dataFiles()) {
      overwrite.addFile(f);
    }
    if (startSnapshot != null) {
      TaskWriter<Record> kept = newWriter();
      try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(startSnapshot).filter(range).planFiles()) {
        for (FileScanTask task : tasks) {
          overwrite.deleteFile(task.file());
          // keep the file's rows outside the range (the scan filter only prunes files)
          try (CloseableIterable<Record> rows = Parquet.read(table.io().newInputFile(task.file().location())).project(schema)
              .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema)).build()) {
            for (Record r : rows) {
              long t = (Long) IcebergValues.fromIceberg(r.getField(time.name()));
              if (t < from || (to != null && t > to)) {
                kept.write(r);
              }
            }
          }
        }
        for (DataFile f : kept.complete().dataFiles()) {
          overwrite.addFile(f);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot rewrite the data files of " + table.name(), e);
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

  private Expression range() {
    long fromMicros = from * 1000;
    Expression lower = Expressions.greaterThanOrEqual(time.name(), fromMicros);
    return to == null ? lower : Expressions.and(lower, Expressions.lessThanOrEqual(time.name(), to * 1000 + 999));
  }

  private Record record(FeatureRow row) {
    GenericRecord record = GenericRecord.create(schema);
    for (int i = 0; i < keyFields.size(); i++) {
      record.setField(keyFields.get(i).name(), IcebergValues.toIceberg(row.keys()[i], keyFields.get(i).type()));
    }
    for (int i = 0; i < featureFields.size(); i++) {
      record.setField(featureFields.get(i).name(), IcebergValues.toIceberg(row.values()[i], featureFields.get(i).type()));
    }
    record.setField(time.name(), IcebergValues.toIceberg(row.eventTime(), time.type()));
    return record;
  }

  private TaskWriter<Record> newWriter() {
    GenericAppenderFactory appenders = new GenericAppenderFactory(schema, table.spec());
    OutputFileFactory files = OutputFileFactory.builderFor(table, 1, System.nanoTime()).format(FileFormat.PARQUET).build();
    InternalRecordWrapper wrapper = new InternalRecordWrapper(schema.asStruct());
    PartitionKey key = new PartitionKey(table.spec(), schema);
    return new PartitionedFanoutWriter<>(table.spec(), FileFormat.PARQUET, appenders, files, table.io(), 128L << 20) {
      @Override
      protected PartitionKey partition(Record row) {
        key.partition(wrapper.wrap(row));
        return key;
      }
    };
  }

  /** Deletes the files written so far unless {@link #commit} succeeded. */
  @Override
  public void close() {
    if (!committed) {
      try {
        writer.abort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
