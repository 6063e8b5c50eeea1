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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
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
 * Online lookups of one entity: the key is encoded exactly as ingest writes the changelog key
 * (Avro binary of {@code FeatureRowSchemas.avroKey}); TTL is applied at read time, so an old value
 * is reported EXPIRED with no numbers, never served stale.
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

  private final OnlineStore store;

  public FeatureLookup(OnlineStore store) {
    this.store = store;
  }

  public Result lookup(FeatureSetContract contract, Map<String, String> keys, long nowMillis) {
    Optional<StoredRow> row = store.get(contract.changelogTopic(), encodeKey(contract, keys));
    Map<String, Object> values = new LinkedHashMap<>();
    contract.featureNames().forEach(f -> values.put(f, null));
    if (row.isEmpty()) {
      return new Result(Status.MISSING, values, null, null);
    }
    long age = nowMillis - row.get().eventTime();
    if (contract.ttl() != null && age > contract.ttl().toMillis()) {
      return new Result(Status.EXPIRED, values, row.get().eventTime(), age);
    }
    GenericRecord record = decode(contract, row.get().value());
    for (Feature f : contract.features()) {
      Object v = record.get(f.name());
      values.put(f.name(), v instanceof Utf8 ? v.toString() : v);
    }
    return new Result(Status.OK, values, row.get().eventTime(), age);
  }

  /** The changelog key of an entity; a missing or malformed key value is a clear INVALID_ARGUMENT. */
  public static byte[] encodeKey(FeatureSetContract contract, Map<String, String> keys) {
    Schema schema = FeatureRowSchemas.avroKey(contract);
    GenericRecord key = new GenericData.Record(schema);
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
      new GenericDatumWriter<GenericRecord>(schema).write(key, enc);
      enc.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static GenericRecord decode(FeatureSetContract contract, byte[] value) {
    try {
      return new GenericDatumReader<GenericRecord>(FeatureRowSchemas.avroChangelog(contract))
          .read(null, DecoderFactory.get().binaryDecoder(value, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
