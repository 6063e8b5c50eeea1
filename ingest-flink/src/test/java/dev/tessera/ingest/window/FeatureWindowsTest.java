package dev.tessera.ingest.window;

import dev.tessera.testkit.WindowReference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.contracts.registry.ContractRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The window logic against a brute-force reference that applies the definition (docs/ingest.md,
 * "Window logic") to the list of accepted events.
 */
class FeatureWindowsTest {
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(Path.of("../contracts/examples"));
  static final long T0 = 1_767_225_600_000L;
  static final long MIN = 60_000L;
  static final String[] COUNTRIES = {"DE", "FR", "NL", "US"};

  static List<WindowReference.Event> randomEvents(Random r, int n, long spanMillis) {
    List<WindowReference.Event> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // clustered times: bursts exercise equal times, same buckets and long gaps alike
      long t = T0 + (r.nextInt(5) == 0 ? (long) (r.nextDouble() * spanMillis) : (i * spanMillis / n) + r.nextInt(120_000));
      if (r.nextInt(20) == 0 && !events.isEmpty()) {
        t = events.get(r.nextInt(events.size())).time(); // an exact tie
      }
      Map<String, Object> fields = new HashMap<>();
      fields.put("amount", r.nextInt(10) == 0 ? null : Math.round(r.nextDouble() * 100_000) / 100.0);
      fields.put("country", COUNTRIES[r.nextInt(COUNTRIES.length)]);
      fields.put("customer_id", r.nextInt(30) == 0 ? null : "c-1");
      fields.put("event_time", t);
      fields.put("segment", "s" + r.nextInt(3));
      fields.put("age", r.nextInt(8) == 0 ? null : 18 + r.nextInt(60));
      fields.put("kyc_verified", r.nextBoolean());
      fields.put("credit_limit", r.nextInt(8) == 0 ? null : (double) r.nextInt(10_000));
      fields.put("signed_up_at", T0 - r.nextInt(1_000_000));
      fields.put("updated_at", t);
      events.add(new WindowReference.Event(t, i, fields));
    }
    return events;
  }

  record Run(List<FeatureValues> fresh, List<FeatureValues> finals, List<WindowReference.Event> accepted, List<WindowReference.Event> late, KeyState state) {}

  /** Feeds events in arrival order with a bounded-out-of-orderness watermark; finalizes behind it. */
  static Run run(FeatureWindows w, List<WindowReference.Event> arrival, long outOfOrderness, long lateness, boolean flush) {
    KeyState state = w.newState();
    List<FeatureValues> fresh = new ArrayList<>();
    List<FeatureValues> finals = new ArrayList<>();
    List<WindowReference.Event> accepted = new ArrayList<>();
    List<WindowReference.Event> late = new ArrayList<>();
    long maxSeen = Long.MIN_VALUE;
    for (WindowReference.Event e : arrival) {
      if (e.time() <= state.finalizedUntil()) {
        late.add(e);
      } else {
        fresh.add(w.onEvent(state, e.time(), e.seq(), w.project(e.fields())));
        accepted.add(e);
      }
      maxSeen = Math.max(maxSeen, e.time());
      // as Flink's bounded-out-of-orderness watermark: max - bound - 1, so equal times stay on time
      long watermark = maxSeen - outOfOrderness - 1;
      finals.addAll(w.finalizeUntil(state, watermark - lateness));
    }
    if (flush) {
      finals.addAll(w.finalizeUntil(state, Long.MAX_VALUE - 1));
    }
    return new Run(fresh, finals, accepted, late, state);
  }

  static List<WindowReference.Event> arrivalOrder(List<WindowReference.Event> events, long maxDelay, Random r) {
    List<WindowReference.Event> out = new ArrayList<>(events);
    Map<WindowReference.Event, Long> arrival = new HashMap<>();
    out.forEach(e -> arrival.put(e, e.time() + (long) (r.nextDouble() * maxDelay)));
    out.sort(Comparator.comparingLong(arrival::get));
    return out;
  }

  @ParameterizedTest(name = "{0}, seed {1}")
  @CsvSource({
    "customer_activity, 1", "customer_activity, 2", "merchant_risk, 3", "merchant_risk, 4",
    "customer_merchant, 5", "customer_profile, 6"})
  void finalAndFreshRowsMatchTheDefinition(String featureSet, long seed) {
    FeatureSetContract c = REGISTRY.get(featureSet);
    FeatureWindows w = new FeatureWindows(c);
    Random r = new Random(seed);
    long span = 3L * 24 * 60 * MIN;
    List<WindowReference.Event> events = randomEvents(r, 300, span);
    // arrivals up to 20 minutes behind, watermark 5 minutes behind, lateness 5 minutes: some events are late
    Run run = run(w, arrivalOrder(events, 20 * MIN, r), 5 * MIN, 5 * MIN, true);

    assertThat(run.late()).as("some events are late").isNotEmpty();
    assertThat(run.accepted().size() + run.late().size()).isEqualTo(events.size());

    // every final row equals the definition at its time, and rows are in time order
    long previous = Long.MIN_VALUE;
    for (FeatureValues row : run.finals()) {
      assertThat(row.eventTime()).isGreaterThan(previous);
      previous = row.eventTime();
      WindowReference.assertValues(row.values(), WindowReference.reference(c, run.accepted(), row.eventTime()), "final row at " + row.eventTime());
    }
    // a row at every accepted event time
    assertThat(run.finals().stream().map(FeatureValues::eventTime).toList())
        .containsAll(run.accepted().stream().map(WindowReference.Event::time).distinct().toList());
    // the step function equals the definition at any instant (no missing boundary rows)
    long first = run.finals().get(0).eventTime();
    long last = run.finals().get(run.finals().size() - 1).eventTime();
    for (int i = 0; i < 2000; i++) {
      long t = first + (long) (r.nextDouble() * (last - first + 8 * 24 * 60 * MIN));
      FeatureValues at = run.finals().stream().filter(x -> x.eventTime() <= t).reduce((a, b) -> b).orElseThrow();
      WindowReference.assertValues(at.values(), WindowReference.reference(c, run.accepted(), t), "value at " + t);
    }
    // boundary rows only where a value changes
    for (int i = 1; i < run.finals().size(); i++) {
      FeatureValues row = run.finals().get(i);
      boolean eventRow = run.accepted().stream().anyMatch(e -> e.time() == row.eventTime());
      if (!eventRow) {
        assertThat(row.values()).as("boundary row at %d changes something", row.eventTime())
            .isNotEqualTo(run.finals().get(i - 1).values());
      }
    }
    // fresh rows: the values at the event's time over the events seen so far
    for (int i = 0; i < run.fresh().size(); i++) {
      FeatureValues row = run.fresh().get(i);
      WindowReference.assertValues(row.values(), WindowReference.reference(c, run.accepted().subList(0, i + 1), row.eventTime()), "fresh row " + i);
    }
    // the last fresh-or-final row by (event time, sequence) is the last final row
    assertThat(run.finals().get(run.finals().size() - 1).sequence()).isGreaterThan(
        run.fresh().stream().mapToLong(FeatureValues::sequence).max().orElseThrow());
  }

  @Test
  void finalRowsDoNotDependOnArrivalOrder() {
    FeatureSetContract c = REGISTRY.get("merchant_risk");
    FeatureWindows w = new FeatureWindows(c);
    List<WindowReference.Event> events = randomEvents(new Random(11), 400, 2L * 24 * 60 * MIN);

    long bound = 3L * 24 * 60 * MIN; // covers every delay: no event is late in any order
    Run runA = run(w, arrivalOrder(events, 30 * MIN, new Random(1)), bound, 0, true);
    Run runB = run(w, arrivalOrder(events, 30 * MIN, new Random(2)), bound, 0, true);
    assertThat(runA.late()).isEmpty();
    assertThat(runB.late()).isEmpty();
    List<FeatureValues> a = runA.finals();
    List<FeatureValues> b = runB.finals();
    List<WindowReference.Event> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(WindowReference.Event::time).thenComparingLong(WindowReference.Event::seq));
    List<FeatureValues> batch = run(w, sorted, 0, 0, true).finals();

    assertThat(a.stream().map(v -> List.of(v.eventTime(), java.util.Arrays.asList(v.values()))).toList())
        .isEqualTo(b.stream().map(v -> List.of(v.eventTime(), java.util.Arrays.asList(v.values()))).toList())
        .isEqualTo(batch.stream().map(v -> List.of(v.eventTime(), java.util.Arrays.asList(v.values()))).toList());
  }

  @Test
  void stateIsBoundedByWindowOverHopNotByEvents() {
    FeatureSetContract c = REGISTRY.get("customer_activity"); // longest window 7d at 1m hop
    FeatureWindows w = new FeatureWindows(c);
    KeyState state = w.newState();
    long maxBuckets = 7 * 24 * 60;
    for (int i = 0; i < 30 * 24 * 60; i += 3) { // an event every 3 minutes for 30 days
      long t = T0 + i * MIN;
      w.onEvent(state, t, i, w.project(Map.of("amount", 1.0, "country", "DE")));
      w.finalizeUntil(state, t);
      assertThat(state.bucketCount()).isLessThanOrEqualTo((int) maxBuckets + 1);
    }
    assertThat(state.pendingCount()).isZero();
    w.finalizeUntil(state, Long.MAX_VALUE - 1);
    assertThat(state.bucketCount()).isZero();
  }

  @Test
  void expiryRowsCountDownAfterTheLastEvent() {
    FeatureSetContract c = REGISTRY.get("merchant_risk"); // txn_count_10m is the first feature
    FeatureWindows w = new FeatureWindows(c);
    KeyState state = w.newState();
    w.onEvent(state, T0 + 30_000, 1, w.project(Map.of("amount", 5.0, "country", "DE", "customer_id", "c-1", "event_time", T0 + 30_000)));
    w.onEvent(state, T0 + 2 * MIN, 2, w.project(Map.of("amount", 7.0, "country", "FR", "customer_id", "c-1", "event_time", T0 + 2 * MIN)));

    List<FeatureValues> rows = w.finalizeUntil(state, T0 + 12 * MIN);

    assertThat(rows).extracting(FeatureValues::eventTime).containsExactly(T0 + 30_000, T0 + 2 * MIN, T0 + 10 * MIN, T0 + 12 * MIN);
    assertThat(rows).extracting(v -> v.values()[0]).containsExactly(1L, 2L, 1L, 0L);
    assertThat(rows.get(3).values()[2]).as("sum over 1h still holds both").isEqualTo(12.0);
    assertThat(w.nextTime(state)).isEqualTo(T0 + 60 * MIN); // the 1h windows expire next
  }

  @Test
  void refusesEventsAtOrBeforeTheFinalizedTime() {
    FeatureWindows w = new FeatureWindows(REGISTRY.get("customer_activity"));
    KeyState state = w.newState();
    w.onEvent(state, T0, 1, w.project(Map.of("amount", 1.0, "country", "DE")));
    w.finalizeUntil(state, T0 + MIN);

    assertThatThrownBy(() -> w.onEvent(state, T0 + MIN, 2, w.project(Map.of("amount", 1.0, "country", "DE"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not after the finalized time");
  }

  /**
   * The incremental folds (a fresh row extends the previous one; final rows of a bucket share the
   * fold of the buckets before it) against folding every row from scratch: the same rows, bit for
   * bit (Double.equals compares bits), and nextTime against a scan of every held bucket.
   */
  @ParameterizedTest(name = "{0}, seed {1}")
  @CsvSource({"customer_activity, 21", "customer_activity, 22", "merchant_risk, 23", "customer_merchant, 24", "customer_profile, 25"})
  void incrementalFoldsEqualFoldingFromScratchBitForBit(String featureSet, long seed) {
    FeatureSetContract c = REGISTRY.get(featureSet);
    Random r = new Random(seed);
    List<WindowReference.Event> events = randomEvents(r, 600, 2L * 24 * 60 * MIN);
    List<WindowReference.Event> arrival = arrivalOrder(events, 20 * MIN, r);
    assertSameRows(c, arrival, 5 * MIN, 5 * MIN, 1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"in order", "two partitions interleaved", "shuffled within seconds"})
  void aHotKeyGivesTheSameRowsAsFoldingFromScratch(String arrival) {
    FeatureSetContract c = REGISTRY.get("customer_activity"); // 10 min lateness: thousands of events pending at once
    Random r = new Random(31);
    List<WindowReference.Event> events = new ArrayList<>();
    for (int i = 0; i < 8_000; i++) {
      long t = T0 + i * 150L + (i % 7 == 0 ? 0 : r.nextInt(50)); // a few ties, uneven gaps
      Map<String, Object> fields = new HashMap<>();
      fields.put("amount", r.nextInt(50) == 0 ? null : r.nextDouble() * 1000); // order-sensitive double sums
      fields.put("country", COUNTRIES[r.nextInt(COUNTRIES.length)]);
      events.add(new WindowReference.Event(t, i, fields));
    }
    events.sort(Comparator.comparingLong(WindowReference.Event::time).thenComparingLong(WindowReference.Event::seq));
    List<WindowReference.Event> order = switch (arrival) {
      case "in order" -> events;
      case "two partitions interleaved" -> { // as a keyed stream fed by two source partitions: runs of each, in order within a partition
        List<WindowReference.Event> out = new ArrayList<>();
        int[] next = {0, 1};
        while (next[0] < events.size() || next[1] < events.size()) {
          int p = next[0] >= events.size() ? 1 : next[1] >= events.size() ? 0 : r.nextInt(2);
          for (int k = 1 + r.nextInt(200); k > 0 && next[p] < events.size(); k--, next[p] += 2) {
            out.add(events.get(next[p]));
          }
        }
        yield out;
      }
      default -> arrivalOrder(events, 3_000, r);
    };
    // finalized every 100 events, as a periodic watermark does: fresh rows in between extend snaps
    assertSameRows(c, order, 30_000, 10 * MIN, 100);
  }

  private static void assertSameRows(FeatureSetContract c, List<WindowReference.Event> arrival, long outOfOrderness, long lateness, int finalizeEvery) {
    FeatureWindows fast = new FeatureWindows(c, true);
    FeatureWindows scratch = new FeatureWindows(c, false);
    KeyState a = fast.newState();
    KeyState b = scratch.newState();
    long maxSeen = Long.MIN_VALUE;
    int rows = 0;
    int seen = 0;
    for (WindowReference.Event e : arrival) {
      if (e.time() > a.finalizedUntil()) {
        assertSameRow(fast.onEvent(a, e.time(), e.seq(), fast.project(e.fields())), scratch.onEvent(b, e.time(), e.seq(), scratch.project(e.fields())));
        rows++;
      }
      maxSeen = Math.max(maxSeen, e.time());
      if (++seen % finalizeEvery != 0) {
        continue;
      }
      long until = maxSeen - outOfOrderness - 1 - lateness;
      List<FeatureValues> x = fast.finalizeUntil(a, until);
      List<FeatureValues> y = scratch.finalizeUntil(b, until);
      assertThat(x).hasSameSizeAs(y);
      for (int i = 0; i < x.size(); i++) {
        assertSameRow(x.get(i), y.get(i));
      }
      rows += x.size();
      assertThat(fast.nextTime(a)).as("nextTime").isEqualTo(nextTimeByScan(fast, a));
    }
    List<FeatureValues> x = fast.finalizeUntil(a, Long.MAX_VALUE - 1);
    List<FeatureValues> y = scratch.finalizeUntil(b, Long.MAX_VALUE - 1);
    assertThat(x).hasSameSizeAs(y);
    for (int i = 0; i < x.size(); i++) {
      assertSameRow(x.get(i), y.get(i));
    }
    assertThat(rows + x.size()).isGreaterThan(arrival.size());
  }

  private static void assertSameRow(FeatureValues x, FeatureValues y) {
    assertThat(x.eventTime()).isEqualTo(y.eventTime());
    assertThat(x.sequence()).isEqualTo(y.sequence());
    assertThat(x.isFinal()).isEqualTo(y.isFinal());
    assertThat(x.missing()).isEqualTo(y.missing());
    assertThat(java.util.Arrays.asList(x.values())).as("row at %d", x.eventTime()).isEqualTo(java.util.Arrays.asList(y.values()));
  }

  /** nextTime as it was computed before: every held bucket, every window. */
  private static long nextTimeByScan(FeatureWindows w, KeyState state) {
    long next = state.pending.isEmpty() ? Long.MAX_VALUE : state.pending.firstKey();
    long hop = w.hop();
    for (long bucket : state.buckets.keySet()) {
      for (long window : w.distinctWindowBuckets()) {
        long b = (bucket + window) * hop;
        if (b > state.finalizedUntil) {
          next = Math.min(next, b);
        }
      }
    }
    return next;
  }
}
