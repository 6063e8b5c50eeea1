package dev.tessera.contracts.rows;

import static dev.tessera.contracts.ContractFixture.replace;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.ContractFixture;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.contracts.schema.FeatureRowSchemas;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one row codec: rows written by one contract version read by another, checked value by value
 * against Avro's own schema resolution (GenericDatumReader with writer and reader schemas).
 */
class ChangelogRowsTest {
  private static final String NEW_FEATURE = """
        - name: txn_count_10m
          type: long
          description: Number of transactions in the last 10 minutes.
          aggregate: {function: count, window: 10m}
      """;

  @TempDir Path dir;

  FeatureSetContract v100() {
    return ContractFixture.activity(dir.resolve("a"), t -> t);
  }

  /** 1.1.0: a feature inserted in the middle of the list, the last one removed. */
  FeatureSetContract v110() {
    return ContractFixture.activity(dir.resolve("b"), t -> replace("version: 1.0.0", "version: 1.1.0")
        .andThen(replace("  - name: amount_avg_7d\n", NEW_FEATURE + "  - name: amount_avg_7d\n"))
        .andThen(x -> x.substring(0, x.indexOf("  - name: last_country")) + x.substring(x.indexOf("quality:")))
        .apply(t));
  }

  @Test
  void roundTripsEveryValueWithTheSameVersion() {
    FeatureSetContract c = v100();
    ChangelogRowWriter writer = new ChangelogRowWriter(c);
    ChangelogRowReader reader = new ChangelogRowReader(c, WriterSchemas.of(writer.schema()));
    Random random = new Random(7);
    for (int i = 0; i < 500; i++) {
      Object[] values = randomValues(c, random);
      BitSet missing = new BitSet();
      if (random.nextInt(4) == 0) {
        int f = random.nextInt(values.length);
        missing.set(f);
        values[f] = null;
      }
      byte[] row = writer.encode(new Object[] {"c-" + i}, values, 1_000L * i, i, missing);
      RowValues read = RowValues.read(reader, row);
      assertThat(read.values()).containsExactly(values);
      assertThat(read.eventTime()).isEqualTo(1_000L * i);
      assertThat(read.sequence()).isEqualTo(i);
      assertThat(read.writer().version()).isEqualTo("1.0.0");
      assertThat(read.missing().keySet()).containsExactlyElementsOf(missing.stream().boxed().toList());
      assertThat(read.missing().values()).allMatch(r -> r == MissingReason.BACKFILL_PENDING);
    }
  }

  @Test
  void resolvesByNameExactlyAsAvroDoesInBothDirections() throws Exception {
    FeatureSetContract old = v100();
    FeatureSetContract now = v110();
    assertThat(now.featureNames()).containsExactly("txn_count_1h", "amount_sum_24h", "txn_count_10m", "amount_avg_7d", "amount_max_24h");
    for (var pair : List.of(List.of(old, now), List.of(now, old))) {
      FeatureSetContract w = pair.get(0);
      FeatureSetContract r = pair.get(1);
      ChangelogRowWriter writer = new ChangelogRowWriter(w);
      ChangelogRowReader reader = new ChangelogRowReader(r, WriterSchemas.of(writer.schema()));
      GenericDatumReader<GenericRecord> avro = new GenericDatumReader<>(writer.schema().schema(), FeatureRowSchemas.avroChangelog(r));
      Random random = new Random(11);
      for (int i = 0; i < 300; i++) {
        byte[] row = writer.encode(new Object[] {"c-" + i}, randomValues(w, random), 5_000L + i, 3L * i, null);
        GenericRecord expected = avro.read(null, DecoderFactory.get().binaryDecoder(row, 10, row.length - 10, null));
        RowValues read = RowValues.read(reader, row);
        for (int f = 0; f < r.features().size(); f++) {
          Feature feature = r.features().get(f);
          Object want = expected.get(feature.name());
          assertThat(read.values()[f]).as(feature.name()).isEqualTo(want instanceof Utf8 u ? u.toString() : want);
          boolean inWriter = w.feature(feature.name()).isPresent();
          assertThat(read.missing().get(f)).as(feature.name()).isEqualTo(inWriter ? null : MissingReason.NOT_IN_ROW_VERSION);
        }
        assertThat(read.eventTime()).isEqualTo(expected.get("event_time"));
        assertThat(read.sequence()).isEqualTo(expected.get("tessera_seq"));
      }
    }
  }

  @Test
  void promotesNumbersAsAvroAllowsAndReportsAnIncompatibleTypeAsUnreadable() {
    FeatureSetContract ints = withQuantity("i", "int");
    FeatureSetContract longs = withQuantity("l", "long");
    ChangelogRowWriter writer = new ChangelogRowWriter(ints);
    byte[] row = writer.encode(new Object[] {"c-1"}, new Object[] {7L, 1.5, 2.5, 3.5, "DE", 12}, 10, 1, null);
    RowValues promoted = RowValues.read(new ChangelogRowReader(longs, WriterSchemas.of(writer.schema())), row);
    assertThat(promoted.values()).containsExactly(7L, 1.5, 2.5, 3.5, "DE", 12L);
    assertThat(promoted.missing()).isEmpty();

    ChangelogRowWriter back = new ChangelogRowWriter(longs);
    byte[] longRow = back.encode(new Object[] {"c-1"}, new Object[] {7L, 1.5, 2.5, 3.5, "DE", 12L}, 10, 1, null);
    RowValues narrowed = RowValues.read(new ChangelogRowReader(ints, WriterSchemas.of(back.schema())), longRow);
    assertThat(narrowed.values()).containsExactly(7L, 1.5, 2.5, 3.5, "DE", null);
    assertThat(narrowed.missing()).containsExactly(Map.entry(5, MissingReason.UNREADABLE));
  }

  private FeatureSetContract withQuantity(String sub, String type) {
    return ContractFixture.activity(dir.resolve(sub), replace("quality:", """
          - name: quantity_max
            type: %s
            description: Largest quantity.
            aggregate: {function: max, field: quantity}
        quality:""".formatted(type)), ContractFixture.addSourceField("{\"name\": \"quantity\", \"type\": \"int\"}"));
  }

  @Test
  void aRowOfAnUnknownWriterIsUnreadableNotAnError() {
    byte[] row = new ChangelogRowWriter(v100()).encode(new Object[] {"c-1"}, new Object[] {1L, 1.0, 1.0, 1.0, "FR"}, 1, 1, null);
    RowValues read = RowValues.read(new ChangelogRowReader(v100(), new WriterSchemas()), row);
    assertThat(read.values()).containsOnlyNulls();
    assertThat(read.missing().values()).containsOnly(MissingReason.UNREADABLE).hasSize(5);
    assertThat(read.writer()).isNull();
  }

  @Test
  void schemaRecordsRoundTripAndTheFingerprintIsRecomputed() {
    WriterSchema schema = WriterSchema.of(v110());
    WriterSchema back = WriterSchema.fromJson(schema.toJson());
    assertThat(back).isEqualTo(schema);
    assertThat(back.id()).isEqualTo("customer_activity@1.1.0");
    // a description change (PATCH) keeps the fingerprint: the parsing canonical form has no docs
    FeatureSetContract patched = ContractFixture.activity(dir.resolve("p"), replace("Number of transactions in the last hour.", "Transactions, last hour."));
    assertThat(WriterSchema.of(patched).fingerprint()).isEqualTo(WriterSchema.of(v100()).fingerprint());
  }

  @Test
  void keysEncodeAsAvroEncodesTheKeyRecordFromTextOrValues() throws Exception {
    FeatureSetContract c = dev.tessera.contracts.registry.ContractRegistry.fromDirectory(ContractFixture.EXAMPLES).get("customer_merchant");
    GenericRecord key = new GenericData.Record(FeatureRowSchemas.avroKey(c));
    key.put("customer_id", "c-ü-1");
    key.put("merchant_id", "m-9");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    var enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(key.getSchema()).write(key, enc);
    enc.flush();
    assertThat(EntityKeys.encode(c, Map.of("customer_id", "c-ü-1", "merchant_id", "m-9"))).isEqualTo(out.toByteArray());
    assertThat(EntityKeys.encode(c, new Object[] {"c-ü-1", "m-9"})).isEqualTo(out.toByteArray());
    assertThat(EntityKeys.decode(c, out.toByteArray())).containsExactly("c-ü-1", "m-9");
  }

  static Object[] randomValues(FeatureSetContract c, Random random) {
    Object[] values = new Object[c.features().size()];
    for (int f = 0; f < values.length; f++) {
      if (random.nextInt(5) == 0) {
        continue;
      }
      FeatureType type = c.features().get(f).type();
      values[f] = switch (type) {
        case INT -> random.nextInt();
        case LONG, TIMESTAMP -> random.nextLong();
        case FLOAT -> random.nextFloat();
        case DOUBLE -> random.nextDouble() * 1000;
        case BOOLEAN -> random.nextBoolean();
        case STRING -> "s" + random.nextInt(1000) + (random.nextBoolean() ? "é" : "");
      };
    }
    return values;
  }
}
