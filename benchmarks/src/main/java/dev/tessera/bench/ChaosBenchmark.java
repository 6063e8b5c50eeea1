package dev.tessera.bench;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code bench/run chaos [--events 1000000 --kills 5 --seed 11]}: the "ingest killed repeatedly"
 * fault at full size ({@link IngestKills}; CI runs it with 200k events). Prints the rows lost and
 * duplicated (both must be 0), the keys whose last changelog value is not their last Iceberg row
 * (must be 0), and the recovery time of each kill: from the kill -9 until the resumed job
 * completed its first checkpoint (for the last kill, that of the final bounded run, which first
 * reads the backlog). Exits 1 when anything was lost, duplicated or disagrees.
 */
public final class ChaosBenchmark {
  private ChaosBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = SnapshotBenchmark.parse(args);
    int events = Integer.parseInt(opts.getOrDefault("events", "1000000"));
    int kills = Integer.parseInt(opts.getOrDefault("kills", "5"));
    long seed = Long.parseLong(opts.getOrDefault("seed", "11"));
    Path work = Path.of(opts.getOrDefault("work", "/tmp/tessera-bench-chaos"));
    if (Files.exists(work)) {
      try (Stream<Path> s = Files.walk(work)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(work);
    FeatureSetContract c = ContractRegistry.fromDirectory(IngestKills.ROOT.resolve("contracts/examples")).get("customer_activity");
    System.out.printf("chaos: %,d events of %s on 2 partitions, tessera ingest (parallelism 2, checkpoints every 1 s) killed -9 %d times"
        + " at random points, then run to the end of the topic; work dir %s%n", events, c.id(), kills, work);
    long t = System.nanoTime();
    String backend = opts.getOrDefault("state-backend", "hashmap");
    int hotPercent = Integer.parseInt(opts.getOrDefault("hot-percent", "0"));
    System.out.printf("  state backend %s, %d%% of the events on one key%n", backend, hotPercent);
    IngestKills.Result r = IngestKills.run(work, c, events, kills, seed, line -> System.out.println("  " + line),
        java.util.Map.of("tessera.ingest.state-backend", backend), hotPercent);
    System.out.printf("%n  | expected rows | rows | lost | duplicated | changelog mismatches | total s |%n  |---|---|---|---|---|---|%n");
    System.out.printf("  | %,d | %,d | %d | %d | %d | %.1f |%n", r.expectedRows(), r.rows(), r.lost(), r.duplicated(),
        r.changelogMismatches(), (System.nanoTime() - t) / 1e9);
    System.out.println();
    System.out.println("  recovery after each kill (kill -9 until the resumed job completed a checkpoint):");
    for (int i = 0; i < r.recoverySeconds().size(); i++) {
      System.out.printf("    kill %d: %.1f s%n", i + 1, r.recoverySeconds().get(i));
    }
    if (r.lost() != 0 || r.duplicated() != 0 || r.changelogMismatches() != 0 || r.rows() != r.expectedRows()) {
      System.out.println("  FAILED: the resumed runs did not produce the rows of an uninterrupted run");
      System.exit(1);
    }
  }
}
