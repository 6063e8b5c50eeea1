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

/** Matches come back by spine row whether they stayed in memory, moved to the sorter part-way, or started there. */
class MatchesTest {
  static final List<FeatureType> TYPES = List.of(FeatureType.LONG, FeatureType.DOUBLE, FeatureType.STRING, FeatureType.BOOLEAN,
      FeatureType.INT, FeatureType.FLOAT, FeatureType.TIMESTAMP);

  @TempDir Path spill;

  @ParameterizedTest(name = "budget {0}: in memory at the end {1}")
  @CsvSource({"64000000, true", "400000, false", "1000, false"})
  void givesTheMatchesBySpineRow(long budget, boolean inMemory) {
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
      boolean startedInMemory = m.inMemory();
      for (int idx : order) {
        Object[] v = {r.nextBoolean() ? null : r.nextLong(), r.nextDouble(), "s" + r.nextInt(1000), r.nextBoolean(), r.nextInt(),
            r.nextFloat(), r.nextInt(3) == 0 ? null : 1_767_225_600_000L + r.nextInt()};
        expected[idx] = v;
        m.add(idx, new PointInTimeJoin.TableRow("k", 0, v));
      }
      assertThat(m.inMemory()).isEqualTo(inMemory);
      if (budget == 400000) {
        assertThat(startedInMemory).as("moved to the sorter part-way").isTrue();
      }
      var it = m.inRowOrder();
      int n = 0;
      long last = -1;
      while (it.hasNext()) {
        PointInTimeJoin.Match got = it.next();
        assertThat(got.idx()).isGreaterThan(last);
        assertThat(got.values()).as("row %d", got.idx()).containsExactly(expected[(int) got.idx()]);
        last = got.idx();
        n++;
      }
      assertThat(n).isEqualTo(order.size());
    }
  }
}
