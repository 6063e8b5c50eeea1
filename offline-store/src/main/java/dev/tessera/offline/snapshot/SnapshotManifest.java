package dev.tessera.offline.snapshot;

import dev.tessera.offline.snapshot.join.FeatureSetRead;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a snapshot read, so it can be reproduced: the spine (location, hash), the contract version,
 * table and Iceberg snapshot id of every feature set, the output, the row count and the time.
 * Written as JSON beside the output ({@code <output>.manifest.json}).
 */
public record SnapshotManifest(
    int manifestVersion,
    String createdAt,
    String engine,
    SpineInfo spine,
    List<String> requestedFeatures,
    List<FeatureSetRead> featureSets,
    OutputInfo output,
    Map<String, String> catalog,
    String replayOf) {

  /** The spine as read: where, its format, the time column, its SHA-256, and (tables) its snapshot. */
  public record SpineInfo(String location, String format, String timeColumn, String sha256, long rows, Long snapshotId) {}

  /** Where the rows went, and their columns. */
  public record OutputInfo(String location, String format, long rows, List<String> columns) {}

  static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public static SnapshotManifest read(Path file) {
    try {
      return JSON.readValue(file.toFile(), SnapshotManifest.class);
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read manifest '" + file + "': " + e.getMessage(), e);
    }
  }

  public void write(Path file) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      JSON.writeValue(file.toFile(), this);
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.IO_ERROR, "Cannot write manifest '" + file + "': " + e.getMessage(), e);
    }
  }
}
