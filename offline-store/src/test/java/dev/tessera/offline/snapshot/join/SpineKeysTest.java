package dev.tessera.offline.snapshot.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.offline.snapshot.join.PointInTimeJoin.SpineKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The spine side comes out in exactly {@link PointInTimeJoin#SPINE_ORDER}, (key, time, row), held
 * as arrays, moved to the external sorter part-way, or sorted there from the start: many keys, a
 * hot key with most of the rows, equal times, keys that sort differently as strings and numbers.
 */
class SpineKeysTest {
  @TempDir Path spill;

  @ParameterizedTest(name = "budget {0}: in memory {1}")
  @CsvSource({"64000000, true", "300000, false", "1000, false"})
  void givesSpineOrder(long budget, boolean inMemory) {
    Random r = new Random(5);
    List<SpineKey> all = new ArrayList<>();
    try (SpineKeys keys = new SpineKeys(budget, spill)) {
      for (long row = 0; row < 30_000; row++) {
        if (r.nextInt(10) == 0) {
          continue; // rows without a key for this feature set
        }
        String key = r.nextInt(3) == 0 ? "hot" : "c-" + r.nextInt(2_000) + (r.nextBoolean() ? "" : "é");
        long ts = 1_767_225_600_000L + r.nextInt(50) * 1000L; // many equal times per key
        keys.add(key, ts, row);
        all.add(new SpineKey(key, ts, row, -1));
      }
      assertThat(keys.inMemory()).isEqualTo(inMemory);
      SpineKeys.KeyRanks ranks = keys.ranks();
      List<SpineKey> got = new ArrayList<>();
      keys.sorted().forEachRemaining(got::add);
      all.sort(PointInTimeJoin.SPINE_ORDER);
      assertThat(got.stream().map(k -> List.of(k.key(), k.ts(), k.idx())).toList())
          .containsExactlyElementsOf(all.stream().map(k -> List.of(k.key(), k.ts(), k.idx())).toList());
      if (inMemory) { // ranks: 0, 1, 2, ... in key order, the same the table side looks up
        int rank = -1;
        String last = null;
        for (SpineKey k : got) {
          if (!k.key().equals(last)) {
            rank++;
            last = k.key();
          }
          assertThat(k.rank()).as("rank of %s", k.key()).isEqualTo(rank).isEqualTo(ranks.rank(k.key()));
        }
        assertThat(ranks.rank("no such key")).isEqualTo(-1);
      } else {
        assertThat(ranks).isNull();
        assertThat(got).allMatch(k -> k.rank() == -1);
      }
    }
  }

  /** A walk over keys asked in ascending order (a sorted file's: repeats, gaps of any length, keys the spine lacks) ranks as the hash lookup does. */
  @org.junit.jupiter.api.Test
  void aWalkInKeyOrderRanksAsTheLookupDoes() {
    Random r = new Random(9);
    try (SpineKeys keys = new SpineKeys(64_000_000, spill)) {
      for (int k = 0; k < 5_000; k++) {
        if (r.nextInt(4) != 0) {
          keys.add("c-" + k, 0, k);
        }
      }
      SpineKeys.KeyRanks ranks = keys.ranks();
      for (int round = 0; round < 20; round++) {
        List<String> asked = new ArrayList<>();
        int every = 1 + r.nextInt(round < 10 ? 3 : 400); // dense files, and files with few of the spine's keys
        for (int k = r.nextInt(every); k < 5_200; k += 1 + r.nextInt(every)) {
          for (int repeat = r.nextInt(3); repeat >= 0; repeat--) {
            asked.add(new String("c-" + k)); // equal keys, other objects
          }
        }
        asked.sort(null);
        SpineKeys.Walk walk = ranks.walk();
        for (String key : asked) {
          assertThat(walk.rank(key)).as("rank of %s", key).isEqualTo(ranks.rank(key));
        }
      }
    }
  }

  /** The spine's times of each key, sought in ascending order (few or many steps apart, equal times): the first at or after each, as a scan finds it. */
  @org.junit.jupiter.api.Test
  void spineTimesGiveTheFirstTimeAtOrAfter() {
    Random r = new Random(21);
    java.util.Map<String, List<Long>> byKey = new java.util.TreeMap<>();
    try (SpineKeys keys = new SpineKeys(64_000_000, spill)) {
      for (int i = 0; i < 20_000; i++) {
        String key = r.nextInt(4) == 0 ? "hot" : "c-" + r.nextInt(500);
        long ts = r.nextInt(10_000) * 10L; // equal times too
        keys.add(key, ts, i);
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(ts);
      }
      SpineKeys.KeyRanks ranks = keys.ranks();
      SpineKeys.SpineTimes times = ranks.times();
      for (var e : byKey.entrySet()) {
        List<Long> ts = new ArrayList<>(e.getValue());
        ts.sort(null);
        int rank = ranks.rank(e.getKey());
        for (long t = -5; t < 100_010; t += 1 + r.nextInt(r.nextBoolean() ? 30 : 3_000)) {
          times.seek(rank, t);
          long want = -1;
          for (long x : ts) {
            if (x >= t) {
              want = x;
              break;
            }
          }
          assertThat(times.has()).as("%s at %d", e.getKey(), t).isEqualTo(want >= 0);
          if (want >= 0) {
            assertThat(times.time()).as("%s at %d", e.getKey(), t).isEqualTo(want);
          }
        }
      }
    }
  }
}
