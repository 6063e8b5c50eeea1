package dev.tessera.offline.snapshot;

import dev.tessera.offline.snapshot.spine.ParquetSpine;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.offline.table.FeatureRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.iceberg.io.CloseableIterable;

/** Random feature rows and spines, a brute-force point-in-time reference, and output readers. */
public final class SnapshotData {
  static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  static final long DAY = 86_400_000L;

  private SnapshotData() {}

  public static Object randomValue(FeatureType type, Random r) {
    if (r.nextInt(10) == 0) {
      return null;
    }
    return switch (type) {
      case INT -> r.nextInt(100);
      case LONG -> (long) r.nextInt(1000);
      case FLOAT -> r.nextFloat();
      case DOUBLE -> Math.round(r.nextDouble() * 100000) / 100.0;
      case BOOLEAN -> r.nextBoolean();
      case STRING -> "s" + r.nextInt(50);
      case TIMESTAMP -> T0 + r.nextInt(1_000_000_000);
    };
  }

  /**
   * Random rows for the given keys over {@code days}, unique per (key, event_time). Times fall on
   * 12 random days of the span (any millisecond of them), so tables have few day partitions.
   */
  static List<FeatureRow> rows(FeatureSetContract c, List<Object[]> keys, int maxPerKey, int days, Random r) {
    long[] dayStarts = new long[12];
    for (int i = 0; i < dayStarts.length; i++) {
      dayStarts[i] = T0 + r.nextInt(days) * DAY;
    }
    List<FeatureRow> out = new ArrayList<>();
    for (Object[] key : keys) {
      Set<Long> times = new HashSet<>();
      int n = r.nextInt(maxPerKey + 1);
      for (int i = 0; i < n; i++) {
        long t = dayStarts[r.nextInt(dayStarts.length)] + r.nextInt((int) DAY);
        if (!times.add(t)) {
          continue;
        }
        Object[] values = c.features().stream().map(Feature::type).map(type -> randomValue(type, r)).toArray();
        out.add(new FeatureRow(key.clone(), values, t));
      }
    }
    return out;
  }

  /** The reference: latest row of the key at or before ts, null if none or older than the TTL. */
  static Object[] expected(FeatureSetContract c, List<FeatureRow> rows, Object[] key, long ts) {
    FeatureRow best = null;
    for (FeatureRow row : rows) {
      if (Arrays.equals(row.keys(), key) && row.eventTime() <= ts && (best == null || row.eventTime() > best.eventTime())) {
        best = row;
      }
    }
    if (best == null || (c.ttl() != null && ts - best.eventTime() > c.ttl().toMillis())) {
      return new Object[c.features().size()];
    }
    return best.values();
  }

  static void writeCsv(Path file, List<String> header, List<List<Object>> rows) throws IOException {
    StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
    for (List<Object> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        Object v = row.get(i);
        sb.append(v == null ? "" : v.toString());
      }
      sb.append('\n');
    }
    Files.writeString(file, sb.toString());
  }

  /** Reads a Parquet output back as rows of plain values (timestamps as epoch millis). */
  static List<Object[]> readParquet(Path file) throws IOException {
    List<Object[]> out = new ArrayList<>();
    try (CloseableIterable<Object[]> rows = new ParquetSpine(file).rows()) {
      for (Object[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          if (row[i] instanceof OffsetDateTime t) {
            row[i] = t.toInstant().toEpochMilli();
          }
        }
        out.add(row);
      }
    }
    return out;
  }
}
