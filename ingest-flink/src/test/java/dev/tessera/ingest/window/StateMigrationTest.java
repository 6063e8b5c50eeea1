package dev.tessera.ingest.window;

import dev.tessera.testkit.WindowReference;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Window state written by 1.0.0 restored under 1.1.0 through the real serializer and its snapshot
 * (as Flink restores a savepoint): kept features continue exactly, an added windowed feature is
 * served once its window lies after the restore (and never before), an added all-history feature
 * stays missing, a removed deprecated feature is dropped. Checked against the brute-force
 * reference over all events, including those before the change.
 */
class StateMigrationTest {
  static final long MIN = 60_000L;

  @TempDir Path dir;

  /** 1.0.0 with amount_avg_7d deprecated. */
  FeatureSetContract v100() throws IOException {
    return contract("a", t -> t.replace("    aggregate: {function: avg, field: amount, window: 7d}",
        "    aggregate: {function: avg, field: amount, window: 7d}\n    deprecated: {since: 1.0.0, replacement: amount_sum_24h}"));
  }

  /** 1.1.0: two features added at {@code where} (start or middle), the deprecated one removed. */
  FeatureSetContract v110(String where) throws IOException {
    String added = """
          - name: txn_count_10m
            type: long
            description: Transactions in the last 10 minutes.
            aggregate: {function: count, window: 10m}
          - name: first_country
            type: string
            description: Country of the first transaction ever.
            aggregate: {function: first, field: country}
        """;
    return contract("b", t -> {
      String out = t.replace("version: 1.0.0", "version: 1.1.0");
      out = out.substring(0, out.indexOf("  - name: amount_avg_7d")) + out.substring(out.indexOf("  - name: amount_max_24h"));
      String anchor = where.equals("middle") ? "  - name: amount_max_24h" : "  - name: txn_count_1h";
      return out.replace(anchor, added + anchor);
    });
  }

  @ParameterizedTest(name = "features added at the {0}")
  @ValueSource(strings = {"middle", "start"})
  void restoresAnEarlierMinorByFeatureName(String where) throws Exception {
    FeatureSetContract old = v100();
    FeatureSetContract now = v110(where);
    FeatureWindows w1 = new FeatureWindows(old);
    FeatureWindows w2 = new FeatureWindows(now);
    Random r = new Random(where.hashCode());
    List<WindowReference.Event> events = FeatureWindowsTest.randomEvents(r, 400, 2L * 24 * 60 * MIN);
    events.sort(java.util.Comparator.comparingLong(WindowReference.Event::time));
    int cut = 250;

    // 1.0.0 runs the first events, then its state is checkpointed
    KeyState s1 = w1.newState();
    List<WindowReference.Event> accepted = new ArrayList<>();
    for (WindowReference.Event e : events.subList(0, cut)) {
      w1.onEvent(s1, e.time(), e.seq(), w1.project(e.fields()));
      accepted.add(e);
      w1.finalizeUntil(s1, e.time() - 5 * MIN);
    }
    KeyStateSerializer oldSerializer = new KeyStateSerializer(w1.layout());
    byte[] checkpoint = write(oldSerializer, s1);
    byte[] snapshot = writeSnapshot(oldSerializer.snapshotConfiguration());

    // restore as Flink does: the old snapshot's serializer reads, the new serializer's snapshot decides
    KeyStateSerializer newSerializer = new KeyStateSerializer(w2.layout());
    TypeSerializerSnapshot<KeyState> restored = readSnapshot(snapshot);
    assertThat(newSerializer.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAfterMigration()).isTrue();
    KeyState s2 = w2.adopt(read(restored.restoreSerializer(), checkpoint));
    assertThat(s2.incompleteFeatures()).containsExactlyInAnyOrder("txn_count_10m", "first_country");
    // and the migrated state survives the new serializer unchanged
    s2 = read(newSerializer, write(newSerializer, s2));
    long restoredAt = events.get(cut - 1).time();

    int added10m = now.featureNames().indexOf("txn_count_10m");
    int addedFirst = now.featureNames().indexOf("first_country");
    int servedFrom = -1;
    for (int i = cut; i < events.size(); i++) {
      WindowReference.Event e = events.get(i);
      FeatureValues fresh = w2.onEvent(s2, e.time(), e.seq(), w2.project(e.fields()));
      accepted.add(e);
      Object[] want = WindowReference.reference(now, accepted, e.time());
      for (int f = 0; f < want.length; f++) {
        boolean missing = fresh.missing() != null && fresh.missing().get(f);
        if (f == addedFirst) {
          assertThat(missing).as("an all-history feature needs a backfill").isTrue();
        } else if (f == added10m) {
          boolean windowAfterRestore = Math.floorDiv(e.time(), MIN) * MIN - 10 * MIN + MIN > restoredAt;
          assertThat(missing).as("10m window at %d (restored at %d)", e.time(), restoredAt).isEqualTo(!windowAfterRestore);
          if (windowAfterRestore && servedFrom < 0) {
            servedFrom = i;
          }
        } else {
          assertThat(missing).isFalse();
        }
        if (missing) {
          assertThat(fresh.values()[f]).as("never a wrong number").isNull();
        } else {
          WindowReference.assertValues(new Object[] {fresh.values()[f]}, new Object[] {want[f]}, now.featureNames().get(f) + " at " + e.time());
        }
      }
      w2.finalizeUntil(s2, e.time() - 5 * MIN);
    }
    assertThat(servedFrom).as("the added windowed feature is served once its window lies after the restore").isPositive();
    assertThat(s2.layout().indexOf("amount_avg_7d")).as("the removed deprecated feature is dropped").isEqualTo(-1);
  }

  private FeatureSetContract contract(String sub, UnaryOperator<String> edit) throws IOException {
    Path d = dir.resolve(sub);
    Files.createDirectories(d);
    try (Stream<Path> files = Files.list(Path.of("../contracts/examples"))) {
      for (Path f : files.toList()) {
        Files.copy(f, d.resolve(f.getFileName()));
      }
    }
    Path file = d.resolve("customer_activity.yaml");
    Files.writeString(file, edit.apply(Files.readString(file)));
    return ContractRegistry.loadFile(file);
  }

  static byte[] write(TypeSerializer<KeyState> serializer, KeyState state) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer.serialize(state, out);
    return out.getCopyOfBuffer();
  }

  static KeyState read(TypeSerializer<KeyState> serializer, byte[] bytes) throws IOException {
    return serializer.deserialize(new DataInputDeserializer(bytes));
  }

  static byte[] writeSnapshot(TypeSerializerSnapshot<KeyState> snapshot) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
    return out.getCopyOfBuffer();
  }

  static TypeSerializerSnapshot<KeyState> readSnapshot(byte[] bytes) throws IOException {
    return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(bytes), StateMigrationTest.class.getClassLoader());
  }
}
