package dev.tessera.ingest.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A key's buckets answer as the {@code TreeMap<Long, PartialAggregate[]>} they replace. */
class BucketsTest {
  @Test
  void answersAsATreeMapThroughInsertsEvictionsAndGrowth() {
    SplittableRandom random = new SplittableRandom(3);
    for (int round = 0; round < 50; round++) {
      Buckets buckets = new Buckets();
      TreeMap<Long, PartialAggregate[]> expected = new TreeMap<>();
      long next = random.nextLong(-1_000, 1_000);
      for (int step = 0; step < 2_000; step++) {
        int op = random.nextInt(10);
        if (op < 5) { // mostly ascending, as time goes
          next += random.nextInt(1, 4);
          put(buckets, expected, next);
        } else if (op < 7) { // a little out of order, or a bucket held already
          put(buckets, expected, next - random.nextInt(0, 20));
        } else if (op < 9 && !expected.isEmpty()) { // eviction from the front
          assertThat(buckets.firstKey()).isEqualTo(expected.firstKey());
          buckets.removeFirst();
          expected.pollFirstEntry();
        } else {
          long probe = next - random.nextInt(-5, 60);
          assertThat(buckets.get(probe)).isSameAs(expected.get(probe));
          int i = buckets.ceiling(probe);
          Long ceiling = expected.ceilingKey(probe);
          if (ceiling == null) {
            assertThat(i).isEqualTo(buckets.end());
          } else {
            assertThat(buckets.key(i)).isEqualTo(ceiling);
            assertThat(buckets.value(i)).isSameAs(expected.get(ceiling));
          }
        }
        assertThat(buckets.size()).isEqualTo(expected.size());
        assertThat(buckets.isEmpty()).isEqualTo(expected.isEmpty());
      }
      assertThat(buckets.keySet()).containsExactlyElementsOf(new ArrayList<>(expected.keySet()));
      int position = buckets.start();
      for (Map.Entry<Long, PartialAggregate[]> e : expected.entrySet()) {
        assertThat(buckets.key(position)).isEqualTo(e.getKey());
        assertThat(buckets.value(position++)).isSameAs(e.getValue());
      }
      assertThat(position).isEqualTo(buckets.end());
    }
  }

  private static void put(Buckets buckets, TreeMap<Long, PartialAggregate[]> expected, long bucket) {
    PartialAggregate[] slots = new PartialAggregate[1];
    buckets.put(bucket, slots);
    expected.put(bucket, slots);
  }
}
