package dev.tessera.offline.snapshot.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The elements in the source's order; the source's failure where its element would be; close stops the producer. */
class ReadAheadTest {
  @Test
  void givesTheSourceInOrder() {
    for (int n : new int[] {0, 1, 2047, 2048, 2049, 100_000}) {
      List<Integer> got = new ArrayList<>();
      try (ReadAhead<Integer> it = new ReadAhead<>(IntStream.range(0, n).iterator(), "test")) {
        it.forEachRemaining(got::add);
        assertThat(it.hasNext()).isFalse();
      }
      assertThat(got).hasSize(n);
      for (int i = 0; i < n; i++) {
        assertThat(got.get(i)).isEqualTo(i);
      }
    }
  }

  @Test
  void rethrowsTheSourcesFailureAfterItsElements() {
    Iterator<Integer> failing = new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Integer next() {
        if (i == 5_000) {
          throw new TesseraException(ErrorCode.IO_ERROR, "Cannot read part-3.parquet: truncated");
        }
        return i++;
      }
    };
    List<Integer> got = new ArrayList<>();
    try (ReadAhead<Integer> it = new ReadAhead<>(failing, "test")) {
      assertThatThrownBy(() -> it.forEachRemaining(got::add)).hasMessage("Cannot read part-3.parquet: truncated");
    }
    assertThat(got).hasSizeLessThanOrEqualTo(5_000).isEqualTo(IntStream.range(0, got.size()).boxed().toList());
  }

  @Test
  void closeStopsAProducerThatIsAhead() {
    Iterator<Integer> endless = IntStream.iterate(0, i -> i + 1).iterator();
    ReadAhead<Integer> it = new ReadAhead<>(endless, "test");
    assertThat(it.next()).isZero();
    it.close(); // returns: the producer, blocked on the full queue, is interrupted and joined
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("test") && t.isAlive());
  }
}
