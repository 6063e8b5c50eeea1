package dev.tessera.offline.snapshot;

import dev.tessera.offline.snapshot.spine.SpineValues;
import static dev.tessera.offline.snapshot.SnapshotData.DAY;
import static dev.tessera.offline.snapshot.SnapshotData.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.offline.OfflineFixture;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.table.FeatureRow;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The point-in-time join against a brute-force reference on random data: three feature sets with
 * different entities (one composite key), keys with no rows, spine rows before a key's first row,
 * at exactly a row's event time, at exactly the TTL and one millisecond past it. Run with a large
 * sort buffer and with one small enough to force spilling. Sorted data files (merged as they are)
 * and unsorted ones (sorted by the join) in one table.
 */
class PointInTimeSnapshotTest {
  @TempDir Path home;

  @ParameterizedTest(name = "{1} engine, sort buffer {0}")
  @CsvSource({"256m, LOCAL", "100k, LOCAL", "100k, FLINK"})
  void matchesBruteForceReference(String sortBuffer, OfflineOptions.Engine engine) throws Exception {
    try (OfflineFixture fx = new OfflineFixture(home, Map.of("tessera.snapshot.sort-buffer", sortBuffer))) {
      Random r = new Random(42);
      FeatureSetContract activity = fx.contract("customer_activity");
      FeatureSetContract pair = fx.contract("customer_merchant");
      FeatureSetContract profile = fx.contract("customer_profile");
      List<Object[]> customers = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        customers.add(new Object[] {"c-" + i});
      }
      List<Object[]> pairs = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        for (int m = 0; m < 4; m++) {
          pairs.add(new Object[] {"c-" + i, "m-" + m});
        }
      }
      List<FeatureRow> activityRows = SnapshotData.rows(activity, customers, 60, 120, r);
      List<FeatureRow> pairRows = SnapshotData.rows(pair, pairs, 12, 200, r);
      List<FeatureRow> profileRows = SnapshotData.rows(profile, customers.subList(0, 20), 5, 400, r);
      // several appends per table: a snapshot reads all committed files; customer_activity's last third is written
      // as the streaming sink writes (arrival order, files not marked sorted), the rest sorted (merged as they are)
      int third = activityRows.size() / 3;
      fx.append("customer_activity", activityRows.subList(0, third));
      fx.append("customer_activity", activityRows.subList(third, 2 * third));
      List<FeatureRow> arrival = new ArrayList<>(activityRows.subList(2 * third, activityRows.size()));
      java.util.Collections.shuffle(arrival, r);
      fx.appendInArrivalOrder("customer_activity", arrival);
      fx.append("customer_merchant", pairRows);
      fx.append("customer_profile", profileRows);

      List<List<Object>> spine = new ArrayList<>();
      for (int i = 0; i < 3000; i++) {
        String c = "c-" + r.nextInt(35); // c-30..c-34 have no rows at all
        String m = "m-" + r.nextInt(5); // m-4 has no rows
        long ts = T0 - 10 * DAY + (long) (r.nextDouble() * 500 * DAY);
        spine.add(List.of(c, m, i % 7 == 0 ? Instant.ofEpochMilli(ts).toString() : Long.toString(ts), "label-" + i));
      }
      long ttl = activity.ttl().toMillis();
      for (int i = 0; i < 200; i++) {
        FeatureRow row = activityRows.get(r.nextInt(activityRows.size()));
        String c = (String) row.keys()[0];
        for (long ts : new long[] {row.eventTime(), row.eventTime() - 1, row.eventTime() + ttl, row.eventTime() + ttl + 1}) {
          spine.add(List.of(c, "m-0", Long.toString(ts), "edge"));
        }
      }
      Path spineFile = home.resolve("spine.csv");
      SnapshotData.writeCsv(spineFile, List.of("customer_id", "merchant_id", "ts", "label"), new ArrayList<>(spine.stream().map(l -> (List<Object>) new ArrayList<Object>(l)).toList()));

      SnapshotService service = new SnapshotService(fx.config, fx.registry, fx.catalog, ProgressListener.NONE).withEngine(engine);
      Path out = home.resolve("out/train.parquet");
      SnapshotResult result = service.create(new SnapshotRequest(spineFile.toString(), "ts",
          List.of("customer_activity:*", "customer_merchant:*", "customer_profile:*"), out.toString()));

      List<Object[]> rows = SnapshotData.readParquet(out);
      assertThat(rows).hasSize(spine.size());
      assertThat(result.manifest().output().rows()).isEqualTo(spine.size());
      assertThat(result.manifest().engine()).isEqualTo(engine.name().toLowerCase());
      int width = 4 + activity.features().size() + pair.features().size() + profile.features().size();
      int[] edges = new int[5]; // equal ts, before first row, ttl expired, no rows for key, exactly at ttl
      for (int i = 0; i < spine.size(); i++) {
        List<Object> s = spine.get(i);
        Object[] got = rows.get(i);
        assertThat(got).hasSize(width);
        assertThat(Arrays.copyOf(got, 4)).as("spine columns pass through, row %d", i).containsExactly(s.toArray());
        long ts = SpineValues.toMillis(s.get(2), "ts", i);
        Object[] c = {s.get(0)};
        Object[] cm = {s.get(0), s.get(1)};
        int pos = 4;
        pos = check(got, pos, SnapshotData.expected(activity, activityRows, c, ts), i, "customer_activity");
        pos = check(got, pos, SnapshotData.expected(pair, pairRows, cm, ts), i, "customer_merchant");
        check(got, pos, SnapshotData.expected(profile, profileRows, c, ts), i, "customer_profile");
        classify(activityRows, c, ts, ttl, edges);
      }
      assertThat(Arrays.stream(edges).boxed().toList()).as("edge cases covered: equal ts, before first, ttl expired, no rows, at ttl").allSatisfy(n -> assertThat(n).isPositive());
    }
  }

  private static int check(Object[] got, int pos, Object[] expected, int row, String fs) {
    for (int k = 0; k < expected.length; k++) {
      assertThat(got[pos + k]).as("row %d %s feature %d", row, fs, k).isEqualTo(expected[k]);
    }
    return pos + expected.length;
  }

  private static void classify(List<FeatureRow> rows, Object[] key, long ts, long ttl, int[] edges) {
    List<FeatureRow> mine = rows.stream().filter(r -> Arrays.equals(r.keys(), key)).toList();
    if (mine.isEmpty()) {
      edges[3]++;
      return;
    }
    long first = mine.stream().mapToLong(FeatureRow::eventTime).min().orElseThrow();
    long latest = mine.stream().mapToLong(FeatureRow::eventTime).filter(t -> t <= ts).max().orElse(Long.MIN_VALUE);
    if (mine.stream().anyMatch(r -> r.eventTime() == ts)) {
      edges[0]++;
    }
    if (ts < first) {
      edges[1]++;
    }
    if (latest != Long.MIN_VALUE && ts - latest > ttl) {
      edges[2]++;
    }
    if (latest != Long.MIN_VALUE && ts - latest == ttl) {
      edges[4]++;
    }
  }
}
