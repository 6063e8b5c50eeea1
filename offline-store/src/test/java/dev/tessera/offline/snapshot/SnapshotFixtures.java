package dev.tessera.offline.snapshot;

import dev.tessera.offline.table.FeatureRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A small, hand-checkable data set shared by catalog and warehouse tests. */
public final class SnapshotFixtures {
  public static final long T0 = SnapshotData.T0;
  public static final long DAY = SnapshotData.DAY;

  public static final List<FeatureRow> ACTIVITY_ROWS = List.of(
      row("c-1", 5L, 100.0, T0), row("c-1", 7L, 250.0, T0 + 2 * DAY), row("c-2", 1L, 10.0, T0 + DAY));

  private SnapshotFixtures() {}

  public static FeatureRow row(String customer, long count, double sum, long time) {
    return new FeatureRow(new Object[] {customer}, new Object[] {count, sum, sum / count, sum, "DE"}, time);
  }

  public static Path writeSpine(Path dir) throws IOException {
    return Files.writeString(dir.resolve("spine.csv"), "customer_id,ts,label\nc-1,%d,1\nc-2,%d,0\nc-1,%d,0\n"
        .formatted(T0 + DAY, T0 + 3 * DAY, T0 - 1));
  }
}
