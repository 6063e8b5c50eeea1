package dev.tessera.ingest.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventDecoderTest {
  static final Path EXAMPLES = Path.of("../contracts/examples");
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(EXAMPLES);
  static final long T = 1_767_225_600_000L;

  static GenericRecord transaction(Schema schema, String customer, Double amount, String country, Long time) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("transaction_id", "t-1");
    r.put("customer_id", customer);
    r.put("merchant_id", "m-7");
    r.put("amount", amount);
    r.put("country", country);
    r.put("event_time", time);
    return r;
  }

  static byte[] binary(GenericRecord r) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(r.getSchema()).write(r, enc);
      enc.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static byte[] confluent(int id, byte[] body) {
    return concat(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array(), body);
  }

  /** customer_activity with another encoding, and optionally a nullable key and event time. */
  static FeatureSetContract activity(Path dir, String encoding, boolean nullableKeyAndTime) throws IOException {
    Files.createDirectories(dir);
    String avsc = Files.readString(EXAMPLES.resolve("transaction.avsc"));
    if (nullableKeyAndTime) {
      avsc = avsc.replace("{\"name\": \"customer_id\", \"type\": \"string\"}", "{\"name\": \"customer_id\", \"type\": [\"null\", \"string\"], \"default\": null}")
          .replace("{\"name\": \"event_time\", \"type\": {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}}",
              "{\"name\": \"event_time\", \"type\": [\"null\", {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}], \"default\": null}");
    }
    Files.writeString(dir.resolve("transaction.avsc"), avsc);
    String yaml = Files.readString(EXAMPLES.resolve("customer_activity.yaml")).replace("format: avro", "format: avro\n  encoding: " + encoding);
    Files.writeString(dir.resolve("c.yaml"), yaml);
    return ContractRegistry.loadFile(dir.resolve("c.yaml"));
  }

  @Test
  void acceptsPlainBinaryAndConvertsFields() {
    FeatureSetContract c = REGISTRY.get("customer_activity");
    Decoded d = new EventDecoder(c, Set.of()).decode(binary(transaction(c.source().schema(), "c-1", 12.5, "DE", T)));

    assertThat(d).isInstanceOf(Decoded.Accepted.class);
    SourceEvent e = ((Decoded.Accepted) d).event();
    assertThat(e.keys()).containsExactly("c-1");
    assertThat(e.eventTime()).isEqualTo(T);
    assertThat(e.fields()).containsEntry("amount", 12.5).containsEntry("country", "DE").containsEntry("merchant_id", "m-7");
    assertThat(e.fields().get("country")).isInstanceOf(String.class);
  }

  @Test
  void acceptsSingleObjectAndConfluentFramingAndChecksTheirSchema(@TempDir Path dir) throws IOException {
    FeatureSetContract single = activity(dir.resolve("s"), "single-object", false);
    byte[] body = binary(transaction(single.source().schema(), "c-1", 1.0, "DE", T));
    EventDecoder singleDecoder = new EventDecoder(single, Set.of());
    assertThat(singleDecoder.decode(concat(EventDecoder.singleObjectHeader(single.source().schema()), body))).isInstanceOf(Decoded.Accepted.class);
    byte[] otherFingerprint = EventDecoder.singleObjectHeader(Schema.create(Schema.Type.STRING));
    assertThat(singleDecoder.decode(concat(otherFingerprint, body)))
        .isEqualTo(new Decoded.Rejected(RejectReason.SCHEMA_MISMATCH, ((Decoded.Rejected) singleDecoder.decode(concat(otherFingerprint, body))).detail()))
        .satisfies(r -> assertThat(((Decoded.Rejected) r).detail()).startsWith("schema fingerprint "));
    assertThat(singleDecoder.decode(body)).isInstanceOfSatisfying(Decoded.Rejected.class,
        r -> assertThat(r.reason()).isEqualTo(RejectReason.DECODE_ERROR));

    FeatureSetContract conf = activity(dir.resolve("c"), "confluent", false);
    EventDecoder confDecoder = new EventDecoder(conf, Set.of(42));
    assertThat(confDecoder.decode(confluent(42, body))).isInstanceOf(Decoded.Accepted.class);
    assertThat(confDecoder.decode(confluent(7, body))).isEqualTo(new Decoded.Rejected(RejectReason.SCHEMA_MISMATCH,
        "schema id 7 is not one of the configured ids [42]"));
    assertThat(new EventDecoder(conf, Set.of()).decode(confluent(7, body))).isInstanceOf(Decoded.Accepted.class);
    assertThat(confDecoder.decode(body)).isInstanceOfSatisfying(Decoded.Rejected.class,
        r -> assertThat(r.detail()).startsWith("expected Confluent wire format"));
  }

  static Stream<Arguments> badPayloads() {
    FeatureSetContract c = REGISTRY.get("customer_activity");
    byte[] good = binary(transaction(c.source().schema(), "c-1", 1.0, "DE", T));
    return Stream.of(
        Arguments.of("empty", new byte[0]),
        Arguments.of("garbage", new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}),
        Arguments.of("truncated", Arrays.copyOf(good, good.length - 3)),
        Arguments.of("trailing bytes", concat(good, new byte[] {1, 2, 3})));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPayloads")
  void rejectsUndecodablePayloads(String what, byte[] payload) {
    Decoded d = new EventDecoder(REGISTRY.get("customer_activity"), Set.of()).decode(payload);

    assertThat(d).isInstanceOfSatisfying(Decoded.Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(RejectReason.DECODE_ERROR);
      assertThat(r.detail()).contains("com.example.payments.Transaction");
    });
  }

  @Test
  void rejectsMissingKeyAndEventTime(@TempDir Path dir) throws IOException {
    FeatureSetContract c = activity(dir, "binary", true);
    EventDecoder decoder = new EventDecoder(c, Set.of());

    assertThat(decoder.decode(binary(transaction(c.source().schema(), null, 1.0, "DE", T))))
        .isEqualTo(new Decoded.Rejected(RejectReason.MISSING_KEY, "key field 'customer_id' (entity key customer_id) is null"));
    assertThat(decoder.decode(binary(transaction(c.source().schema(), "c-1", 1.0, "DE", null))))
        .isEqualTo(new Decoded.Rejected(RejectReason.MISSING_EVENT_TIME, "event time field 'event_time' is null"));
  }

  @Test
  void appliesEveryQualityRule() {
    FeatureSetContract activity = REGISTRY.get("customer_activity");
    EventDecoder a = new EventDecoder(activity, Set.of());
    Schema s = activity.source().schema();
    assertThat(a.decode(binary(transaction(s, "c-1", null, "DE", T))))
        .isEqualTo(new Decoded.Rejected(RejectReason.QUALITY_RULE, "rule not_null on 'amount': the value is null"));
    assertThat(a.decode(binary(transaction(s, "c-1", -5.0, "DE", T))))
        .isEqualTo(new Decoded.Rejected(RejectReason.QUALITY_RULE, "rule range on 'amount': -5.0 is not in [0, 1000000]"));
    assertThat(a.decode(binary(transaction(s, "c-1", 1_000_000.0, "DE", T)))).isInstanceOf(Decoded.Accepted.class);

    FeatureSetContract risk = REGISTRY.get("merchant_risk");
    assertThat(new EventDecoder(risk, Set.of()).decode(binary(transaction(risk.source().schema(), "c-1", 1.0, "Germany", T))))
        .isEqualTo(new Decoded.Rejected(RejectReason.QUALITY_RULE, "rule regex on 'country': 'Germany' does not match [A-Z]{2}"));

    FeatureSetContract profile = REGISTRY.get("customer_profile");
    Schema ps = profile.source().schema();
    GenericRecord p = new GenericData.Record(ps);
    p.put("customer_id", "c-1");
    p.put("segment", new GenericData.EnumSymbol(ps.getField("segment").schema(), "mass"));
    p.put("country", "DE");
    p.put("age", 12);
    p.put("kyc_verified", true);
    p.put("credit_limit", null);
    p.put("signed_up_at", T);
    p.put("updated_at", T);
    assertThat(new EventDecoder(profile, Set.of()).decode(binary(p)))
        .isEqualTo(new Decoded.Rejected(RejectReason.QUALITY_RULE, "rule range on 'age': 12 is not in [18, 130]"));
    p.put("age", 40);
    assertThat(new EventDecoder(profile, Set.of()).decode(binary(p))).isInstanceOfSatisfying(Decoded.Accepted.class,
        ok -> assertThat(ok.event().fields()).containsEntry("segment", "mass").containsEntry("age", 40));
  }
}
