package dev.tessera.sdk.offline;

import dev.tessera.errors.ErrorCode;
import dev.tessera.sdk.TesseraClientException;
import dev.tessera.offline.snapshot.SnapshotManifest;
import dev.tessera.offline.snapshot.spine.Spine;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * A finished training snapshot: where its rows are, its manifest (contract versions, Iceberg
 * snapshot ids, spine hash: what {@link TesseraOffline#replay} needs), and an Arrow reader over
 * its rows.
 */
public record TrainingSnapshot(String output, Path manifestPath, SnapshotManifest manifest) {
  /**
   * Reads the rows (a {@code .parquet} or {@code .csv} output) as Arrow batches of up to {@code
   * batchRows} rows. The caller closes the reader.
   */
  public ArrowReader openArrow(BufferAllocator allocator, int batchRows) {
    if (output.startsWith("iceberg:")) {
      throw TesseraClientException.of(0, ErrorCode.INVALID_ARGUMENT.name(), TesseraClientException.Kind.USER,
          "Cannot read " + output + " as Arrow here: read the Iceberg table with your engine, or write the snapshot to a .parquet file", null);
    }
    return new RowsArrowReader(Spine.file(Path.of(output)), allocator, batchRows);
  }

  public long rows() {
    return manifest.output().rows();
  }
}
