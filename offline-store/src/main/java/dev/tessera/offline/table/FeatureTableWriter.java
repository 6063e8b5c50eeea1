package dev.tessera.offline.table;

import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;

/**
 * Appends batches of {@link FeatureRow}s to a feature table in one commit: one Parquet file per
 * day partition, rows sorted by key and event time (the table's sort order). Used for backfills,
 * tests and benchmarks; streaming ingest commits through Flink's Iceberg sink.
 */
public final class FeatureTableWriter {
  private final Table table;
  private final FeatureSetContract contract;

  public FeatureTableWriter(Table table, FeatureSetContract contract) {
    this.table = table;
    this.contract = contract;
  }

  /** Writes and commits the rows, each data file sorted by key and event time and marked so; returns the new snapshot id. */
  public long append(List<FeatureRow> rows) {
    return append(rows, true);
  }

  /** Writes and commits the rows in the order given, as the streaming sink does (files not marked sorted); returns the new snapshot id. */
  public long appendInArrivalOrder(List<FeatureRow> rows) {
    return append(rows, false);
  }

  private long append(List<FeatureRow> rows, boolean sorted) {
    Schema schema = table.schema();
    List<Types.NestedField> keyFields = contract.entity().keyNames().stream().map(schema::findField).toList();
    List<Types.NestedField> featureFields = contract.featureNames().stream().map(schema::findField).toList();
    Types.NestedField time = schema.findField(FeatureSetContract.EVENT_TIME_COLUMN);
    List<Record> records = new ArrayList<>(rows.size());
    for (FeatureRow row : rows) {
      if (row.keys().length != keyFields.size() || row.values().length != featureFields.size()) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot write row " + row + " to " + table.name()
            + ": expected " + keyFields.size() + " keys and " + featureFields.size() + " values");
      }
      GenericRecord record = GenericRecord.create(schema);
      for (int i = 0; i < keyFields.size(); i++) {
        record.setField(keyFields.get(i).name(), IcebergValues.toIceberg(row.keys()[i], keyFields.get(i).type()));
      }
      for (int i = 0; i < featureFields.size(); i++) {
        record.setField(featureFields.get(i).name(), IcebergValues.toIceberg(row.values()[i], featureFields.get(i).type()));
      }
      record.setField(time.name(), IcebergValues.toIceberg(row.eventTime(), time.type()));
      records.add(record);
    }
    if (!sorted) {
      return append(table, records, (a, b) -> 0, null); // a stable sort: the order given
    }
    return append(table, records, sortOrder(keyFields, time), implementsOrder(table.sortOrder(), keyFields, time) ? table.sortOrder() : null);
  }

  /** Whether the table's sort order is exactly the keys then the event time, ascending: the order these rows are written in. */
  private static boolean implementsOrder(SortOrder order, List<Types.NestedField> keys, Types.NestedField time) {
    if (order.fields().size() != keys.size() + 1) {
      return false;
    }
    for (int i = 0; i <= keys.size(); i++) {
      var f = order.fields().get(i);
      int source = i < keys.size() ? keys.get(i).fieldId() : time.fieldId();
      if (f.sourceId() != source || !f.transform().isIdentity() || f.direction() != org.apache.iceberg.SortDirection.ASC) {
        return false;
      }
    }
    return true;
  }

  /**
   * Writes {@code records} (of the table's schema) in one commit: one Parquet file per partition,
   * records sorted by {@code order} within it; returns the new snapshot id.
   */
  public static long append(Table table, List<Record> records, Comparator<Record> order) {
    return append(table, records, order, null);
  }

  /**
   * As above; {@code sortedBy}, when not null, is the table sort order that {@code order} implements:
   * each data file is marked with its id, so that readers (the point-in-time join) can merge the
   * files as they are instead of sorting their rows again.
   */
  public static long append(Table table, List<Record> records, Comparator<Record> order, SortOrder sortedBy) {
    Schema schema = table.schema();
    PartitionKey partitionKey = new PartitionKey(table.spec(), schema);
    InternalRecordWrapper internal = new InternalRecordWrapper(schema.asStruct());
    Map<PartitionKey, List<Record>> byPartition = new TreeMap<>(Comparator.comparing(PartitionKey::toString));
    for (Record record : records) {
      partitionKey.partition(internal.wrap(record));
      byPartition.computeIfAbsent(partitionKey.copy(), k -> new ArrayList<>()).add(record);
    }
    GenericAppenderFactory appenders = new GenericAppenderFactory(schema, table.spec()).setAll(table.properties()); // the table's codec (zstd), row group size
    OutputFileFactory files = OutputFileFactory.builderFor(table, 1, System.nanoTime()).format(FileFormat.PARQUET).build();
    AppendFiles append = table.newAppend();
    for (var e : byPartition.entrySet()) {
      List<Record> inPartition = e.getValue();
      inPartition.sort(order);
      EncryptedOutputFile out = files.newOutputFile(table.spec(), e.getKey());
      DataWriter<Record> writer = appenders.newDataWriter(out, FileFormat.PARQUET, e.getKey());
      try (writer) {
        inPartition.forEach(writer::write);
      } catch (IOException ex) {
        throw TesseraException.io("Cannot write data file for " + table.name(), ex);
      }
      DataFile file = writer.toDataFile();
      if (sortedBy != null && !sortedBy.isUnsorted()) {
        file = DataFiles.builder(table.spec()).copy(file).withSortOrder(sortedBy).build();
      }
      append.appendFile(file);
    }
    append.commit();
    table.refresh();
    return table.currentSnapshot().snapshotId();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Comparator<Record> sortOrder(List<Types.NestedField> keys, Types.NestedField time) {
    Comparator<Record> c = (a, b) -> 0;
    for (Types.NestedField k : keys) {
      c = c.thenComparing(r -> (Comparable) r.getField(k.name()));
    }
    return c.thenComparing(r -> (Comparable) r.getField(time.name()));
  }
}
