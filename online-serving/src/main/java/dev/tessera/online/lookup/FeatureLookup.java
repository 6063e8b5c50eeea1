package dev.tessera.online.lookup;

import dev.tessera.contracts.api.EntityKey;
import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.Feature;
import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.api.FeatureType;
import dev.tessera.contracts.api.TesseraException;
import dev.tessera.contracts.schema.FeatureRowSchemas;
import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.StoredRow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Online lookups: the key is encoded exactly as ingest writes the changelog key (Avro binary of
 * {@code FeatureRowSchemas.avroKey}); TTL is applied at read time, so an old value is reported
 * EXPIRED with no numbers, never served stale. Schemas and Avro readers are built once per
 * contract (Avro caches its resolvers by schema identity).
 *
 * <p>{@code
 * FeatureLookup lookup = new FeatureLookup(store);
 * FeatureLookup.Result r = lookup.lookup(contract, Map.of("customer_id", "c-1"), System.currentTimeMillis());
 * }
 */
public final class FeatureLookup {
  /** Whether a value is served. */
  public enum Status {
    OK,
    MISSING,
    EXPIRED
  }

  /** The values of one feature set for one entity (null values unless OK), with event time and age. */
  public record Result(Status status, Map<String, Object> values, Long eventTime, Long ageMs) {}

  private record Codec(Schema keySchema, GenericDatumWriter<GenericRecord> keyWriter, GenericDatumReader<GenericRecord> rowReader) {}

  private static final Map<String, Codec> CODECS = new ConcurrentHashMap<>();

  private final OnlineStore store;

  public FeatureLookup(OnlineStore store) {
    this.store = store;
  }

  public Result lookup(FeatureSetContract contract, Map<String, String> keys, long nowMillis) {
    return toResult(contract, store.get(contract.changelogTopic(), encodeKey(contract, keys)).orElse(null), nowMillis);
  }

  /**
   * Lookups of many entities of one feature set in one store round trip, in order. A missing or
   * malformed key fails the whole call, naming the entity's index.
   */
  public List<Result> lookupAll(FeatureSetContract contract, List<? extends Map<String, String>> entities, long nowMillis) {
    List<byte[]> keys = new ArrayList<>(entities.size());
    for (int i = 0; i < entities.size(); i++) {
      try {
        keys.add(encodeKey(contract, entities.get(i)));
      } catch (TesseraException e) {
        throw new TesseraException(e.code(), "entities[" + i + "]: " + e.getMessage(), e);
      }
    }
    List<StoredRow> rows = store.getAll(contract.changelogTopic(), keys);
    List<Result> out = new ArrayList<>(rows.size());
    for (StoredRow row : rows) {
      out.add(toResult(contract, row, nowMillis));
    }
    return out;
  }

  private static Result toResult(FeatureSetContract contract, StoredRow row, long nowMillis) {
    Map<String, Object> values = new LinkedHashMap<>();
    if (row == null) {
      contract.featureNames().forEach(f -> values.put(f, null));
      return new Result(Status.MISSING, values, null, null);
    }
    long age = nowMillis - row.eventTime();
    if (contract.ttl() != null && age > contract.ttl().toMillis()) {
      contract.featureNames().forEach(f -> values.put(f, null));
      return new Result(Status.EXPIRED, values, row.eventTime(), age);
    }
    GenericRecord record = decode(contract, row.value());
    for (Feature f : contract.features()) {
      Object v = record.get(f.name());
      values.put(f.name(), v instanceof Utf8 ? v.toString() : v);
    }
    return new Result(Status.OK, values, row.eventTime(), age);
  }

  /** The changelog key of an entity; a missing or malformed key value is a clear INVALID_ARGUMENT. */
  public static byte[] encodeKey(FeatureSetContract contract, Map<String, String> keys) {
    Codec codec = codec(contract);
    GenericRecord key = new GenericData.Record(codec.keySchema());
    for (EntityKey k : contract.entity().keys()) {
      String v = keys.get(k.name());
      if (v == null) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
            "Cannot look up " + contract.name() + ": missing key '" + k.name() + "' (keys: " + contract.entity().keyNames() + ")");
      }
      try {
        key.put(k.name(), k.type() == FeatureType.STRING ? v : k.type() == FeatureType.INT ? (Object) Integer.valueOf(v) : (Object) Long.valueOf(v));
      } catch (NumberFormatException e) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
            "Cannot look up " + contract.name() + ": key '" + k.name() + "' is '" + v + "', expected an integer (" + k.type() + ")");
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(32);
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    try {
      codec.keyWriter().write(key, enc);
      enc.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static GenericRecord decode(FeatureSetContract contract, byte[] value) {
    try {
      return codec(contract).rowReader().read(null, DecoderFactory.get().binaryDecoder(value, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Codec codec(FeatureSetContract contract) {
    return CODECS.computeIfAbsent(contract.id(), id -> {
      Schema keySchema = FeatureRowSchemas.avroKey(contract);
      return new Codec(keySchema, new GenericDatumWriter<>(keySchema), new GenericDatumReader<>(FeatureRowSchemas.avroChangelog(contract)));
    });
  }
}
