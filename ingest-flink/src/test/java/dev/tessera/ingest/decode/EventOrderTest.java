package dev.tessera.ingest.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Arrival sequences never collide: not past 1,024 partitions (the old packing did), nor anywhere up to 2^20. */
class EventOrderTest {
  @Test
  void sequencesAreDistinctAcrossManyPartitionsAndOrderByOffsetThenPartition() {
    Set<Long> seen = new HashSet<>();
    for (int partition = 0; partition < 3000; partition++) {
      for (long offset = 0; offset < 50; offset++) {
        assertThat(seen.add(EventOrder.sequence(partition, offset))).as("partition %d offset %d", partition, offset).isTrue();
      }
    }
    assertThat(EventOrder.sequence(1024, 0)).isNotEqualTo(EventOrder.sequence(0, 1)); // collided as offset * 1024 + partition
    assertThat(EventOrder.sequence(5, 10)).isLessThan(EventOrder.sequence(0, 11));
    assertThat(EventOrder.sequence(0, 10)).isLessThan(EventOrder.sequence(5, 10));
  }

  @Test
  void beyondTheBoundItFailsInsteadOfColliding() {
    assertThatThrownBy(() -> EventOrder.sequence(1 << 20, 0)).hasMessageContaining("at most 1048576 partitions");
    assertThatThrownBy(() -> EventOrder.sequence(0, Long.MAX_VALUE / 2)).isInstanceOf(ArithmeticException.class);
  }
}
