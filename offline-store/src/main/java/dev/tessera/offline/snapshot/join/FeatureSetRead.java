package dev.tessera.offline.snapshot.join;

import static java.util.Objects.requireNonNull;

import dev.tessera.contracts.model.FeatureType;
import java.util.List;

/**
 * What a snapshot reads of one feature set: which table at which Iceberg snapshot, which key and
 * feature columns, and the TTL. Built from contracts for a new snapshot, and from the manifest
 * for a replay, so a replay does not depend on today's contract files.
 *
 * @param snapshotId the Iceberg snapshot read; null when the table had no data
 * @param ttlMillis values older than this at the spine's time are null; null = no TTL
 */
public record FeatureSetRead(
    String featureSet,
    String version,
    String table,
    Long snapshotId,
    List<String> keyColumns,
    List<FeatureType> keyTypes,
    List<String> features,
    List<FeatureType> featureTypes,
    Long ttlMillis) implements java.io.Serializable {
  public FeatureSetRead {
    requireNonNull(featureSet, "featureSet is null");
    requireNonNull(version, "version is null");
    requireNonNull(table, "table is null");
    keyColumns = List.copyOf(keyColumns);
    keyTypes = List.copyOf(keyTypes);
    features = List.copyOf(features);
    featureTypes = List.copyOf(featureTypes);
    if (keyColumns.size() != keyTypes.size() || features.size() != featureTypes.size()) {
      throw new IllegalArgumentException("Cannot create read of " + featureSet + ": names and types differ in length");
    }
  }

  /** Output column of a feature: {@code <featureSet>__<feature>}. */
  public String column(String feature) {
    return featureSet + "__" + feature;
  }
}
