package dev.tessera.ingest.window;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Carries a key's window state from the layout it was written in to another, by feature name: a
 * kept feature (same name, same aggregate) keeps its partials and continues exactly; an added one
 * (or one whose aggregate changed, which the submit-time check refuses) starts empty and is marked
 * incomplete from just after the last event the state had seen; a removed one is dropped. Pending
 * events keep the fields both layouts read, by name.
 */
final class Migration {
  private Migration() {}

  static KeyState adopt(KeyState s, Layout to) {
    if (s.layout == to || s.layout.sameShape(to)) {
      return s;
    }
    Layout from = s.layout;
    int n = to.features().size();
    int[] src = new int[n];
    for (int i = 0; i < n; i++) {
      int j = from.indexOf(to.features().get(i).name());
      src[i] = j >= 0 && from.features().get(j).sameAggregate(to.features().get(i)) ? j : -1;
    }
    int[] fieldSrc = new int[to.fields().size()];
    for (int i = 0; i < fieldSrc.length; i++) {
      fieldSrc[i] = from.fields().indexOf(to.fields().get(i));
    }
    KeyState t = new KeyState(to);
    for (int i = 0; i < n; i++) {
      t.history[i] = src[i] >= 0 ? s.history[src[i]] : null;
    }
    for (int b = s.buckets.start(), end = s.buckets.end(); b < end; b++) {
      PartialAggregate[] held = s.buckets.value(b);
      PartialAggregate[] slots = new PartialAggregate[n];
      for (int i = 0; i < n; i++) {
        slots[i] = src[i] >= 0 ? held[src[i]] : null;
      }
      t.buckets.put(s.buckets.key(b), slots);
    }
    long lastSeen = s.finalizedUntil;
    for (Map.Entry<Long, List<KeyState.Pending>> e : s.pending.entrySet()) {
      lastSeen = Math.max(lastSeen, e.getKey());
      List<KeyState.Pending> events = new ArrayList<>(e.getValue().size());
      for (KeyState.Pending p : e.getValue()) {
        Object[] fields = new Object[fieldSrc.length];
        for (int i = 0; i < fieldSrc.length; i++) {
          fields[i] = fieldSrc[i] >= 0 ? p.fields()[fieldSrc[i]] : null;
        }
        events.add(new KeyState.Pending(p.seq(), fields));
      }
      t.pending.put(e.getKey(), events);
    }
    t.finalizedUntil = s.finalizedUntil;
    t.sequence = s.sequence;
    if (s.lastFinal != null) {
      t.lastFinal = new Object[n];
      for (int i = 0; i < n; i++) {
        t.lastFinal[i] = src[i] >= 0 ? s.lastFinal[src[i]] : null;
      }
    }
    long coveredFrom = lastSeen == Long.MAX_VALUE ? Long.MAX_VALUE : lastSeen + 1;
    boolean incomplete = false;
    long[] covered = new long[n];
    for (int i = 0; i < n; i++) {
      if (src[i] < 0) {
        covered[i] = coveredFrom;
        incomplete = true;
      } else {
        covered[i] = s.coveredFrom == null ? Long.MIN_VALUE : s.coveredFrom[src[i]];
        incomplete |= covered[i] != Long.MIN_VALUE;
      }
    }
    t.coveredFrom = incomplete ? covered : null;
    return t;
  }
}
