package dev.tessera.offline.snapshot;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A training snapshot to build.
 *
 * @param spine a {@code .csv} or {@code .parquet} file, or {@code iceberg:<namespace>.<table>}
 * @param timeColumn the spine column with each row's as-of time
 * @param features {@code <featureSet>:<feature>} or {@code <featureSet>:*}
 * @param output a {@code .parquet} or {@code .csv} file, or {@code iceberg:<namespace>.<table>}
 */
public record SnapshotRequest(String spine, String timeColumn, List<String> features, String output) {
  public SnapshotRequest {
    requireNonNull(spine, "spine is null");
    requireNonNull(timeColumn, "timeColumn is null");
    features = List.copyOf(requireNonNull(features, "features is null"));
    requireNonNull(output, "output is null");
  }
}
