package dev.tessera.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.model.config.ModelConfig;
import dev.tessera.model.config.ModelConfigParser;
import dev.tessera.model.predict.FeatureMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Arrow lookup (pinned column names, as the online service answers) copied into the input
 * tensor's buffer: values by type, nulls as the input's missing value, rejects named per row, and
 * event times per feature set under the config's names.
 */
class FeatureMatrixTest {
  @TempDir Path dir;

  @Test
  void copiesColumnsIntoTheTensorBufferWithMissingValuesAndRejects() throws Exception {
    Path file = dir.resolve("m.yaml");
    Files.writeString(file, """
        apiVersion: tessera/v1
        kind: ModelService
        name: m
        version: 1.0.0
        consumer: fraud-scoring
        artifact: m.onnx
        entity: {keys: [customer_id]}
        inputs:
          - customer_activity:txn_count_1h
          - {feature: customer_profile:credit_limit, missing: reject}
          - customer_profile:is_verified
        missing: {default: -1.5}
        """);
    ModelConfig config = new ModelConfigParser().parse(file).config();
    try (RootAllocator a = new RootAllocator();
        BigIntVector count = new BigIntVector("customer_activity@1__txn_count_1h", a);
        Float8Vector limit = new Float8Vector("customer_profile@1__credit_limit", a);
        BitVector verified = new BitVector("customer_profile@1__is_verified", a);
        TimeStampMilliTZVector t1 = new TimeStampMilliTZVector("customer_activity@1__event_time", a, "UTC");
        TimeStampMilliTZVector t2 = new TimeStampMilliTZVector("customer_profile@1__event_time", a, "UTC")) {
      count.setSafe(0, 7);
      count.setNull(1);
      count.setSafe(2, 9);
      limit.setSafe(0, 250.5);
      limit.setSafe(1, 10);
      limit.setNull(2);
      verified.setSafe(0, 1);
      verified.setSafe(1, 0);
      verified.setNull(2);
      t1.setSafe(0, 1000);
      t1.setNull(1);
      t1.setSafe(2, 3000);
      t2.setSafe(0, 2000);
      t2.setSafe(1, 2500);
      t2.setNull(2);
      List<FieldVector> vectors = List.of(count, limit, verified, t1, t2);
      vectors.forEach(v -> v.setValueCount(3));
      VectorSchemaRoot root = new VectorSchemaRoot(vectors);
      Map<String, String> pinned = Map.of("customer_activity", "customer_activity@1", "customer_profile", "customer_profile@1");
      for (int bytes : new int[] {4, 8}) {
        FeatureMatrix m = FeatureMatrix.of(root, config, pinned, bytes);
        assertThat(m.buffer().isDirect()).isTrue();
        assertThat(m.rows()).isEqualTo(3);
        assertThat(new double[] {m.value(0, 0), m.value(0, 1), m.value(0, 2)}).containsExactly(7, 250.5, 1);
        assertThat(new double[] {m.value(1, 0), m.value(1, 1), m.value(1, 2)}).containsExactly(-1.5, 10, 0);
        assertThat(m.rejected(0)).isNull();
        assertThat(m.rejected(1)).isNull();
        assertThat(m.rejected(2)).isEqualTo("customer_profile:credit_limit");
        assertThat(m.value(2, 2)).isEqualTo(-1.5);
        assertThat(m.eventTimes(0)).containsExactly(Map.entry("customer_activity", 1000L), Map.entry("customer_profile", 2000L));
        assertThat(m.eventTimes(1)).containsExactly(Map.entry("customer_profile", 2500L));
        // row major, native order: what ONNX Runtime wraps as [rows, 3]
        assertThat(bytes == 4 ? m.buffer().getFloat(4 * 4) : m.buffer().getDouble(4 * 8)).isEqualTo(10.0);
      }
    }
  }
}
