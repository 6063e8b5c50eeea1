package dev.tessera.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.StoredRow;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules every online store keeps; each implementation runs them. */
abstract class OnlineStoreChecks {
  static final String TOPIC = "tessera.online.customer_activity.v1";

  /** Opens the store; a second call opens the same data again (a restart). */
  abstract OnlineStore open();

  static OnlineStore.Write write(String key, String value, long time, long seq) {
    return new OnlineStore.Write(key.getBytes(StandardCharsets.UTF_8), new StoredRow(value.getBytes(StandardCharsets.UTF_8), time, seq));
  }

  static String value(OnlineStore store, String key) {
    return store.get(TOPIC, key.getBytes(StandardCharsets.UTF_8)).map(r -> new String(r.value(), StandardCharsets.UTF_8)).orElse(null);
  }

  @Test
  void higherEventTimeThenSequenceWinsWithinAndAcrossBatches() {
    try (OnlineStore store = open()) {
      int changed = store.apply(TOPIC, 0, List.of(write("a", "a@10#1", 10, 1), write("a", "a@5#9", 5, 9), write("a", "a@10#2", 10, 2)), 3);
      assertThat(changed).isEqualTo(2);
      assertThat(value(store, "a")).isEqualTo("a@10#2");

      assertThat(store.apply(TOPIC, 0, List.of(write("a", "a@10#1", 10, 1), write("a", "a@9#99", 9, 99)), 5)).isZero();
      assertThat(value(store, "a")).as("redelivery and older rows change nothing").isEqualTo("a@10#2");
      assertThat(store.apply(TOPIC, 1, List.of(write("a", "a@11#0", 11, 0)), 1)).isEqualTo(1);
      assertThat(value(store, "a")).isEqualTo("a@11#0");
      assertThat(value(store, "missing")).isNull();
    }
  }

  @Test
  void offsetsAreStoredWithTheDataAndSurviveARestart() {
    try (OnlineStore store = open()) {
      store.apply(TOPIC, 0, List.of(write("a", "x", 1, 1)), 42);
      store.apply(TOPIC, 1, List.of(), 7);
      store.apply("tessera.online.other.v1", 0, List.of(write("a", "y", 1, 1)), 3);
    }
    try (OnlineStore store = open()) {
      assertThat(store.offsets(TOPIC)).isEqualTo(Map.of(0, 42L, 1, 7L));
      assertThat(value(store, "a")).isEqualTo("x");
      assertThat(store.get("tessera.online.other.v1", "a".getBytes(StandardCharsets.UTF_8))).isPresent();
    }
  }
}
