package dev.tessera.offline.snapshot.spine;

import java.util.List;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;

/**
 * The rows a snapshot is built for: entity keys, a timestamp, and any other columns (labels),
 * which pass through untouched. Re-readable: the join reads it twice.
 */
public interface Spine {
  /** One spine column with the Iceberg type its values have (CSV columns are strings). */
  record Column(String name, Type type) {}

  List<Column> columns();

  /** Reads all rows in spine order; values are Iceberg generic values (CSV: strings). */
  CloseableIterable<Object[]> rows();

  /**
   * Reads all rows in spine order with only the given columns (indexes into {@link #columns})
   * filled, the others null: what the join's first pass needs (keys and time). Formats that can
   * skip columns (Parquet) read only those.
   */
  default CloseableIterable<Object[]> rows(int[] columns) {
    return rows();
  }

  /** {@code csv}, {@code parquet} or {@code iceberg}. */
  String format();

  /** Where it is: an absolute file path, or {@code iceberg:<table>}. */
  String location();

  /** The Iceberg snapshot read (iceberg spines only), else null. */
  Long snapshotId();

  /** SHA-256 of the spine's content (files) or of its table and snapshot id. */
  String sha256();

  /**
   * The rows of a local {@code .csv} or {@code .parquet} file: a spine, or a snapshot output read
   * back (the SDK's Arrow reader does this).
   */
  static Spine file(java.nio.file.Path file) {
    String name = file.getFileName().toString();
    if (name.endsWith(".csv")) {
      return new CsvSpine(file);
    }
    if (name.endsWith(".parquet")) {
      return new ParquetSpine(file);
    }
    throw new dev.tessera.errors.TesseraException(dev.tessera.errors.ErrorCode.INVALID_ARGUMENT,
        "Cannot read rows of '" + file + "': expected a .csv or .parquet file");
  }

  default int indexOf(String column) {
    List<Column> cols = columns();
    for (int i = 0; i < cols.size(); i++) {
      if (cols.get(i).name().equals(column)) {
        return i;
      }
    }
    return -1;
  }
}
