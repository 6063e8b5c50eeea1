package dev.tessera.offline.snapshot.spine;

import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/** An Iceberg table as the spine, pinned to one snapshot so it can be replayed. */
public final class IcebergSpine implements Spine {
  private final Table table;
  private final Long snapshotId;
  private final List<Column> columns;

  public IcebergSpine(Table table, Long snapshotId) {
    this.table = table;
    this.snapshotId = snapshotId;
    Schema schema = snapshotId == null ? table.schema() : table.schemas().get(table.snapshot(snapshotId).schemaId());
    this.columns = schema.columns().stream().map(f -> new Column(f.name(), f.type())).toList();
  }

  @Override
  public List<Column> columns() {
    return columns;
  }

  @Override
  public CloseableIterable<Object[]> rows() {
    if (snapshotId == null) {
      return CloseableIterable.empty();
    }
    CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(snapshotId).build();
    int n = columns.size();
    return CloseableIterable.transform(records, r -> {
      Object[] out = new Object[n];
      for (int i = 0; i < n; i++) {
        out[i] = r.getField(columns.get(i).name());
      }
      return out;
    });
  }

  @Override
  public String format() {
    return "iceberg";
  }

  @Override
  public String location() {
    return "iceberg:" + table.name().replaceFirst("^[^.]+\\.", "");
  }

  @Override
  public Long snapshotId() {
    return snapshotId;
  }

  @Override
  public String sha256() {
    return Hashing.sha256(table.uuid() + "@" + snapshotId);
  }
}
