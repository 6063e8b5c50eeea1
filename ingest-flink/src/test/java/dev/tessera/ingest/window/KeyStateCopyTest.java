package dev.tessera.ingest.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The serializer's object copy (used by copy-on-write checkpoints) is the state decoded from its
 * own encoding, and independent of the original; its serialize writes exactly the codec's bytes
 * behind their length (the checkpoint and savepoint format).
 */
class KeyStateCopyTest {
  static final FeatureSetContract C = ContractRegistry.fromDirectory(Path.of("../contracts/examples")).get("customer_activity");

  @Test
  void copyEqualsDecodedEncodingAndIsIndependent() throws Exception {
    FeatureWindows windows = new FeatureWindows(C);
    KeyStateSerializer serializer = new KeyStateSerializer(windows.layout());
    Random random = new Random(1);
    KeyState s = windows.newState();
    long t = 1_767_225_600_000L;
    for (int i = 0; i < 400; i++) {
      t += random.nextInt(120_000);
      windows.onEvent(s, t, i, windows.project(Map.of("amount", random.nextInt(10_000) / 100.0, "country", "C" + random.nextInt(5))));
      if (i % 37 == 0) {
        windows.finalizeUntil(s, t - 600_000);
      }
    }
    assertThat(s.bucketCount()).isPositive();
    assertThat(s.pendingCount()).isPositive();

    byte[] encoded = KeyStateCodec.encode(s);
    KeyState copy = serializer.copy(s);
    assertThat(KeyStateCodec.encode(copy)).isEqualTo(encoded);
    assertThat(KeyStateCodec.encode(copy)).isEqualTo(KeyStateCodec.encode(KeyStateCodec.decode(encoded, windows.layout())));

    // the copy moves on; the original does not change
    windows.onEvent(copy, t + 1, 1_000, windows.project(Map.of("amount", 1.0, "country", "X")));
    windows.finalizeUntil(copy, t + 10_000_000);
    assertThat(KeyStateCodec.encode(s)).isEqualTo(encoded);
    assertThat(KeyStateCodec.encode(copy)).isNotEqualTo(encoded);

    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(s, out);
    byte[] written = Arrays.copyOf(out.getSharedBuffer(), out.length());
    assertThat(ByteBuffer.wrap(written).getInt()).isEqualTo(encoded.length);
    assertThat(Arrays.copyOfRange(written, 4, written.length)).isEqualTo(encoded);
  }
}
