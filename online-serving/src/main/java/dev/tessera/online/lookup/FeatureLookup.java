package dev.tessera.online.lookup;

import dev.tessera.contracts.api.EntityKey;
import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.Feature;
import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.api.FeatureType;
import dev.tessera.contracts.api.TesseraException;
import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.StoredRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryData;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Online lookups: the key is encoded exactly as ingest writes the changelog key (Avro binary of
 * {@code FeatureRowSchemas.avroKey}); TTL is applied at read time, so an old value is reported
 * EXPIRED with no numbers, never served stale. Keys are encoded and rows decoded directly in
 * Avro's binary format, without generic records (this is the hot path of batch lookups).
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

  private final OnlineStore store;

  public FeatureLookup(OnlineStore store) {
    this.store = store;
  }

  public Result lookup(FeatureSetContract contract, Map<String, String> keys, long nowMillis) {
    return toResult(contract, store.get(contract.changelogTopic(), encodeKey(contract, keys)).orElse(null), nowMillis);
  }

  /** The stored rows of many entities of one feature set (null where absent), read in one store round trip. */
  public record Rows(FeatureSetContract contract, List<StoredRow> rows, long nowMillis) {
    /** OK, MISSING, or EXPIRED (older than the contract's TTL) for row {@code i}. */
    public Status status(int i) {
      return statusOf(contract, rows.get(i), nowMillis);
    }
  }

  /**
   * Reads many entities of one feature set in one store round trip, in order. A missing or
   * malformed key fails the whole call, naming the entity's index.
   */
  public Rows read(FeatureSetContract contract, List<? extends Map<String, String>> entities, long nowMillis) {
    List<byte[]> keys = new ArrayList<>(entities.size());
    for (int i = 0; i < entities.size(); i++) {
      try {
        keys.add(encodeKey(contract, entities.get(i)));
      } catch (TesseraException e) {
        throw new TesseraException(e.code(), "entities[" + i + "]: " + e.getMessage(), e);
      }
    }
    return new Rows(contract, store.getAll(contract.changelogTopic(), keys), nowMillis);
  }

  /** Lookups of many entities of one feature set in one store round trip, in order. */
  public List<Result> lookupAll(FeatureSetContract contract, List<? extends Map<String, String>> entities, long nowMillis) {
    Rows rows = read(contract, entities, nowMillis);
    List<Result> out = new ArrayList<>(rows.rows().size());
    for (StoredRow row : rows.rows()) {
      out.add(toResult(contract, row, nowMillis));
    }
    return out;
  }

  static Status statusOf(FeatureSetContract contract, StoredRow row, long nowMillis) {
    if (row == null) {
      return Status.MISSING;
    }
    return contract.ttl() != null && nowMillis - row.eventTime() > contract.ttl().toMillis() ? Status.EXPIRED : Status.OK;
  }

  /** Receives the feature values of a changelog row, in contract order, straight from the decoder. */
  public interface ValueSink {
    /** Feature {@code index} (of {@code contract.features()}) is non-null; read it from {@code in} (or skip it) now. */
    void value(int index, FeatureType type, BinaryDecoder in) throws IOException;
  }

  /** Reads or skips one value of {@code type}. */
  public static void skip(FeatureType type, BinaryDecoder in) throws IOException {
    switch (type) {
      case INT -> in.readInt();
      case LONG, TIMESTAMP -> in.readLong();
      case FLOAT -> in.readFloat();
      case DOUBLE -> in.readDouble();
      case BOOLEAN -> in.readBoolean();
      case STRING -> in.skipString();
    }
  }

  /** Decodes a changelog row's feature values into {@code sink} (nulls are not reported). */
  public static void decode(FeatureSetContract contract, byte[] value, ValueSink sink) {
    BinaryDecoder in = DecoderFactory.get().binaryDecoder(value, DECODER.get());
    DECODER.set(in);
    try {
      for (EntityKey k : contract.entity().keys()) {
        skip(k.type(), in);
      }
      List<Feature> features = contract.features();
      for (int i = 0; i < features.size(); i++) {
        if (in.readIndex() != 0) { // branch 0 of the union is null
          sink.value(i, features.get(i).type(), in);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot decode a changelog row of " + contract.id(), e);
    }
  }

  private static Result toResult(FeatureSetContract contract, StoredRow row, long nowMillis) {
    Status status = statusOf(contract, row, nowMillis);
    List<String> names = contract.featureNames();
    Object[] values = new Object[names.size()];
    if (status == Status.OK) {
      decode(contract, row.value(), (i, type, in) -> values[i] = switch (type) {
        case INT -> in.readInt();
        case LONG, TIMESTAMP -> in.readLong();
        case FLOAT -> in.readFloat();
        case DOUBLE -> in.readDouble();
        case BOOLEAN -> in.readBoolean();
        case STRING -> in.readString();
      });
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      map.put(names.get(i), values[i]);
    }
    return new Result(status, map, row == null ? null : row.eventTime(), row == null ? null : nowMillis - row.eventTime());
  }

  /**
   * The changelog key of an entity: the Avro binary encoding of the key record (strings as a
   * zig-zag varint length and UTF-8 bytes, int and long as zig-zag varints), written directly. A
   * missing or malformed key value is a clear INVALID_ARGUMENT.
   */
  public static byte[] encodeKey(FeatureSetContract contract, Map<String, String> keys) {
    List<EntityKey> keyList = contract.entity().keys();
    byte[][] parts = new byte[keyList.size()][];
    long[] numbers = new long[keyList.size()];
    int size = 0;
    for (int i = 0; i < keyList.size(); i++) {
      EntityKey k = keyList.get(i);
      String v = keys.get(k.name());
      if (v == null) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
            "Cannot look up " + contract.name() + ": missing key '" + k.name() + "' (keys: " + contract.entity().keyNames() + ")");
      }
      if (k.type() == FeatureType.STRING) {
        parts[i] = v.getBytes(StandardCharsets.UTF_8);
        size += 10 + parts[i].length;
      } else {
        try {
          numbers[i] = k.type() == FeatureType.INT ? Integer.parseInt(v) : Long.parseLong(v);
        } catch (NumberFormatException e) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
              "Cannot look up " + contract.name() + ": key '" + k.name() + "' is '" + v + "', expected an integer (" + k.type() + ")");
        }
        size += 10;
      }
    }
    byte[] out = new byte[size];
    int pos = 0;
    for (int i = 0; i < keyList.size(); i++) {
      if (parts[i] != null) {
        pos = BinaryData.encodeLong(parts[i].length, out, pos) + pos;
        System.arraycopy(parts[i], 0, out, pos, parts[i].length);
        pos += parts[i].length;
      } else {
        pos = BinaryData.encodeLong(numbers[i], out, pos) + pos;
      }
    }
    return java.util.Arrays.copyOf(out, pos);
  }

  private static final ThreadLocal<BinaryDecoder> DECODER = new ThreadLocal<>();


}
