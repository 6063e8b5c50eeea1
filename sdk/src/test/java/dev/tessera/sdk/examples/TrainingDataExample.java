package dev.tessera.sdk.examples;

import dev.tessera.sdk.offline.TesseraOffline;
import dev.tessera.sdk.offline.TrainingSnapshot;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * A model team's training-data pull: a point-in-time correct snapshot for a spine of labelled
 * events, read as Arrow batches, then the same rows again from the manifest (replay), as a
 * retraining months later would. Run: {@code TrainingDataExample <tessera home> <spine.csv> <out dir>}.
 */
public final class TrainingDataExample {
  private TrainingDataExample() {}

  public static void main(String[] args) throws Exception {
    Result r = run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
    System.out.printf("snapshot %s: %d rows; replay %s: %d rows%n", r.first().output(), r.firstRows(), r.replay().output(), r.replayRows());
  }

  /** What the pull produced. */
  public record Result(TrainingSnapshot first, long firstRows, TrainingSnapshot replay, long replayRows) {}

  public static Result run(Path home, Path spine, Path outDir) throws Exception {
    try (TesseraOffline offline = TesseraOffline.open(home, null)) {
      TrainingSnapshot s = offline.trainingSnapshot(spine.toString(), "ts",
          List.of("customer_activity:txn_count_1h", "customer_activity:amount_sum_24h"), outDir.resolve("train.parquet").toString());
      long rows = countRows(s);
      // later: the same rows again, from the manifest alone (Iceberg time travel)
      TrainingSnapshot again = offline.replay(s.manifestPath(), outDir.resolve("train-replay.parquet").toString());
      return new Result(s, rows, again, countRows(again));
    }
  }

  static long countRows(TrainingSnapshot s) throws Exception {
    long rows = 0;
    try (RootAllocator allocator = new RootAllocator(); ArrowReader reader = s.openArrow(allocator, 4096)) {
      VectorSchemaRoot batch = reader.getVectorSchemaRoot();
      while (reader.loadNextBatch()) {
        rows += batch.getRowCount(); // a training loop would hand `batch` to the framework here
      }
    }
    return rows;
  }
}
