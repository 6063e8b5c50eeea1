package dev.tessera.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The brute-force reference of the window semantics (docs/ingest.md, "Windows"), applied directly
 * to a list of accepted events: what every engine's rows are checked against.
 */
public final class WindowReference {
  private WindowReference() {}

  /** An accepted event: time, arrival sequence (ties for first/last) and source fields. */
  public record Event(long time, long seq, Map<String, Object> fields) {}

  /** Values at t by the definition, over {@code events}. */
  public static Object[] reference(FeatureSetContract c, List<Event> events, long t) {
    long hop = c.windowHop().toMillis();
    Object[] out = new Object[c.features().size()];
    for (int i = 0; i < out.length; i++) {
      Feature f = c.features().get(i);
      long low = f.aggregate().window() == null ? Long.MIN_VALUE
          : Math.floorDiv(t, hop) * hop - f.aggregate().window().toMillis() + hop;
      List<Event> in = events.stream().filter(e -> e.time() >= low && e.time() <= t)
          .sorted(Comparator.comparingLong(Event::time).thenComparingLong(Event::seq)).toList();
      String field = f.aggregate().field();
      List<Object> values = in.stream().map(e -> field == null ? Boolean.TRUE : e.fields().get(field)).filter(v -> v != null).toList();
      out[i] = switch (f.aggregate().function()) {
        case COUNT -> (long) values.size();
        case SUM -> f.type() == FeatureType.LONG
            ? (Object) values.stream().mapToLong(v -> ((Number) v).longValue()).sum()
            : (Object) values.stream().mapToDouble(v -> ((Number) v).doubleValue()).sum();
        case AVG -> values.isEmpty() ? null : values.stream().mapToDouble(v -> ((Number) v).doubleValue()).average().orElseThrow();
        case MIN -> values.stream().min(WindowReference::compare).map(f.type()::coerce).orElse(null);
        case MAX -> values.stream().max(WindowReference::compare).map(f.type()::coerce).orElse(null);
        case FIRST -> in.isEmpty() ? null : f.type().coerce(in.get(0).fields().get(field));
        case LAST -> in.isEmpty() ? null : f.type().coerce(in.get(in.size() - 1).fields().get(field));
      };
    }
    return out;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static int compare(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y && a.getClass() != b.getClass()) {
      return Double.compare(x.doubleValue(), y.doubleValue());
    }
    return ((Comparable) a).compareTo(b);
  }

  public static void assertValues(Object[] got, Object[] want, String what) {
    assertThat(got).as(what).hasSameSizeAs(want);
    for (int i = 0; i < want.length; i++) {
      if (want[i] instanceof Double d && got[i] instanceof Double g) {
        assertThat(g).as("%s feature %d", what, i).isCloseTo(d, org.assertj.core.data.Offset.offset(1e-6 * Math.max(1, Math.abs(d))));
      } else {
        assertThat(got[i]).as("%s feature %d", what, i).isEqualTo(want[i]);
      }
    }
  }

}
