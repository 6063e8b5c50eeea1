package dev.tessera.testkit;

import dev.tessera.contracts.model.FeatureSetContract;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Changelog rows of {@code customer_activity} for random keys that remember each key's newest row,
 * for tests of the online store's compare-and-set: fresh rows are newer than every row of their
 * key, stale ones older (they must replace nothing).
 */
public final class NewestRows {
  private final FeatureSetContract contract;
  private final int keys;
  private final long start;
  private final Random random;
  private final Map<String, ChangelogSeeder.Row> newest = new HashMap<>();
  private long sequence;

  /** @param start the event time of each key's first row */
  public NewestRows(FeatureSetContract contract, int keys, long seed, long start) {
    this.contract = contract;
    this.keys = keys;
    this.start = start;
    this.random = new Random(seed);
  }

  /** {@code n} rows for random keys ({@code c-<i>}); fresh ones newer than every row of their key, stale ones older. */
  public List<ChangelogSeeder.Row> rows(int n, boolean stale) {
    List<ChangelogSeeder.Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String key = "c-" + random.nextInt(keys);
      ChangelogSeeder.Row current = newest.get(key);
      long t = stale ? (current == null ? 1_000 : current.eventTime() - 1 - random.nextInt(1_000))
          : (current == null ? start : current.eventTime() + 1 + random.nextInt(1_000));
      ChangelogSeeder.Row row = new ChangelogSeeder.Row(contract, Map.of("customer_id", key),
          Map.of("txn_count_1h", (long) random.nextInt(100), "amount_sum_24h", random.nextInt(100_000) / 100.0, "last_country", "DE"),
          t, ++sequence);
      if (!stale || current == null) {
        newest.put(key, row);
      }
      rows.add(row);
    }
    return rows;
  }

  /** Each key's newest row so far. */
  public Map<String, ChangelogSeeder.Row> newest() {
    return newest;
  }
}
