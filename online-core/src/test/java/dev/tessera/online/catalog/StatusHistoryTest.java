package dev.tessera.online.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusHistoryTest {
  static LiveStatus status(Long p99, long lookups, long ok, Long lag) {
    return new LiveStatus(true, new LiveStatus.Freshness(p99 == null ? null : p99 / 2, p99, p99 == null ? 0 : 10, 60_000L, null),
        new LiveStatus.Changelog("t", lag), new LiveStatus.Completeness(lookups, ok, lookups - ok, 0, lookups == 0 ? null : (double) ok / lookups),
        null, Map.of());
  }

  @Test
  void completenessIsPerIntervalNotSinceStart() {
    StatusHistory h = new StatusHistory();
    h.sample("a@1", status(100L, 1_000, 1_000, 0L), 0);
    h.sample("a@1", status(200L, 1_100, 1_050, 3L), 30_000); // 100 lookups, 50 OK in this interval
    h.sample("a@1", status(null, 1_100, 1_050, null), 60_000); // no lookups, no freshness sample, lag unknown

    assertThat(h.lastHour("a@1")).containsExactly(
        new StatusHistory.Point(0, 50L, 100L, null, 0L),
        new StatusHistory.Point(30_000, 100L, 200L, 0.5, 3L),
        new StatusHistory.Point(60_000, null, null, null, null));
    assertThat(h.lastHour("other@1")).isEmpty();
  }

  @Test
  void keepsOneHour() {
    StatusHistory h = new StatusHistory();
    for (long t = 0; t <= 2 * StatusHistory.WINDOW_MILLIS; t += 60_000) {
      h.sample("a@1", status(1L, 0, 0, 0L), t);
    }
    assertThat(h.lastHour("a@1")).hasSize(61);
    assertThat(h.lastHour("a@1").get(0).at()).isEqualTo(StatusHistory.WINDOW_MILLIS);
  }
}
