package dev.tessera.ingest.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The primitive heap of a finalization's times polls in the order a {@code PriorityQueue<Long>} does. */
class FinalizationTimesTest {
  @Test
  void pollsInTheOrderOfAPriorityQueueWithDuplicatesAndAdditionsWhilePolling() {
    SplittableRandom random = new SplittableRandom(7);
    FeatureWindows.Times times = new FeatureWindows.Times();
    for (int round = 0; round < 200; round++) {
      times.clear();
      PriorityQueue<Long> expected = new PriorityQueue<>();
      int n = random.nextInt(0, 100);
      for (int i = 0; i < n; i++) {
        long t = random.nextLong(-50, 50) * (round % 2 == 0 ? 1 : 60_000L);
        times.add(t);
        expected.add(t);
      }
      List<Long> got = new ArrayList<>();
      List<Long> want = new ArrayList<>();
      while (!expected.isEmpty()) {
        assertThat(times.isEmpty()).isFalse();
        long t = times.poll();
        got.add(t);
        want.add(expected.poll());
        if (random.nextInt(4) == 0) { // a finalization adds boundaries after the time it is at
          long later = t + random.nextLong(0, 30);
          times.add(later);
          expected.add(later);
        }
      }
      assertThat(times.isEmpty()).isTrue();
      assertThat(got).isEqualTo(want);
    }
  }
}
