package dev.tessera.contracts.rows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.contracts.model.Entity;
import dev.tessera.contracts.model.EntityKey;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.schema.FeatureRowSchemas;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** The hand-written key encoding equals Avro's own encoding of the key record, byte for byte. */
class EntityKeysTest {
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(Path.of("examples"));

  static byte[] avro(FeatureSetContract c, Map<String, Object> keys) throws Exception {
    GenericRecord r = new GenericData.Record(FeatureRowSchemas.avroKey(c));
    keys.forEach(r::put);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(r.getSchema()).write(r, enc);
    enc.flush();
    return out.toByteArray();
  }

  @Test
  void stringKeysIncludingCompositeAndUnicode() throws Exception {
    FeatureSetContract cm = REGISTRY.get("customer_merchant");
    for (String id : List.of("c-1", "", "Zürich-Kunde-ü", "x".repeat(300))) {
      assertThat(EntityKeys.encode(cm, Map.of("customer_id", id, "merchant_id", "m-9")))
          .isEqualTo(avro(cm, Map.of("customer_id", id, "merchant_id", "m-9")));
    }
  }

  @Test
  void integerKeysAndTheirErrors() throws Exception {
    FeatureSetContract base = REGISTRY.get("customer_activity");
    FeatureSetContract c = new FeatureSetContract(base.name(), base.version(), base.status(), base.description(), base.owner(), base.tags(),
        new Entity("thing", List.of(new EntityKey("a", FeatureType.INT), new EntityKey("b", FeatureType.LONG), new EntityKey("s", FeatureType.STRING))),
        base.source(), base.windowHop(), base.ttl(), base.features(), base.quality(), base.sla(), base.consumers(), null, null);
    for (long b : new long[] {0, -1, 63, 64, -65, Long.MAX_VALUE, Long.MIN_VALUE}) {
      for (int a : new int[] {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
        assertThat(EntityKeys.encode(c, Map.of("a", Integer.toString(a), "b", Long.toString(b), "s", "k")))
            .isEqualTo(avro(c, Map.of("a", a, "b", b, "s", "k")));
      }
    }
    assertThatThrownBy(() -> EntityKeys.encode(c, Map.of("a", "1.5", "b", "2", "s", "k")))
        .hasMessage("Cannot look up customer_activity: key 'a' is '1.5', expected an integer (int)");
    assertThatThrownBy(() -> EntityKeys.encode(c, Map.of("a", "1", "s", "k")))
        .hasMessage("Cannot look up customer_activity: missing key 'b' (keys: [a, b, s])");
  }
}
