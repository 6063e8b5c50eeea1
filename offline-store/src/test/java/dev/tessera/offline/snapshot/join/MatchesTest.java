package dev.tessera.offline.snapshot.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.model.FeatureType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Matches come back by spine row whether they stayed in memory (in slots, or as bytes when
 * slots would not fit), moved to the sorter part-way (from either), or started there.
 */
class MatchesTest {
  static final List<FeatureType> TYPES = List.of(FeatureType.LONG, FeatureType.DOUBLE, FeatureType.STRING, FeatureType.BOOLEAN,
      FeatureType.INT, FeatureType.FLOAT, FeatureType.TIMESTAMP);

  @TempDir Path spill;

  @ParameterizedTest(name = "budget {0}: held as {1}, then as {2}")
  @CsvSource({"64000000, slots, slots", "1800000, slots, sorter", "400000, bytes, sorter", "1000, sorter, sorter"})
  void givesTheMatchesBySpineRow(long budget, String first, String then) {
    Random r = new Random(3);
    int rows = 20_000;
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      if (r.nextInt(4) > 0) { // a quarter of the rows have no match
        order.add(i);
      }
    }
    Collections.shuffle(order, r); // the merge finds them in key order
    Object[][] expected = new Object[rows][];
    try (Matches m = new Matches(TYPES, rows, budget, spill)) {
      assertThat(m.state()).isEqualTo(first);
      for (int idx : order) {
        Object[] v = {r.nextBoolean() ? null : r.nextLong(), r.nextDouble(), "s" + r.nextInt(1000), r.nextBoolean(), r.nextInt(),
            r.nextFloat(), r.nextInt(3) == 0 ? null : 1_767_225_600_000L + r.nextInt()};
        expected[idx] = v;
        m.add(idx, new PointInTimeJoin.TableRow("k", 0, v));
      }
      assertThat(m.state()).isEqualTo(then); // slots to the sorter: 15,000 distinct strings outgrow the budget
      assertThat(m.inMemory()).isEqualTo(!then.equals("sorter"));
      var it = m.inRowOrder();
      int n = 0;
      long last = -1;
      while (it.hasNext()) {
        PointInTimeJoin.Match got = it.next();
        assertThat(got.idx()).isGreaterThan(last);
        assertThat(got.values()).as("row %d", got.idx()).containsExactly(expected[(int) got.idx()]);
        for (int i = 0; i < TYPES.size(); i++) {
          if (got.values()[i] != null) {
            assertThat(got.values()[i]).isExactlyInstanceOf(expected[(int) got.idx()][i].getClass());
          }
        }
        last = got.idx();
        n++;
      }
      assertThat(n).isEqualTo(order.size());
    }
  }
}
