package dev.tessera.contracts.rows;

import dev.tessera.contracts.model.EntityKey;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.errors.TesseraException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryData;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * The one encoding of an entity key, shared by ingest (changelog record keys), the online store
 * and lookups: the Avro binary encoding of the key record {@code FeatureRowSchemas.avroKey}
 * (strings as a zig-zag length and UTF-8 bytes, int and long as zig-zag varints), which is also
 * how the keys start every changelog row. Where a key must be text (Flink's keyBy, sort keys,
 * maps), {@link #text} is the one text form.
 */
public final class EntityKeys {
  /** Between the parts of a key's {@link #text}: key values are names and numbers, never NUL. */
  public static final char TEXT_SEPARATOR = '\u0000';

  private EntityKeys() {}

  /** A key's values (or any parts) as one text, joined by {@link #TEXT_SEPARATOR}; a one-part key is its value. */
  public static String text(Object... parts) {
    if (parts.length == 1) {
      return String.valueOf(parts[0]);
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        sb.append(TEXT_SEPARATOR);
      }
      sb.append(parts[i]);
    }
    return sb.toString();
  }

  /** The parts of a {@link #text}. */
  public static String[] parts(String text) {
    return text.split(String.valueOf(TEXT_SEPARATOR), -1);
  }

  /** Encodes typed key values (String, Integer or Long, in key order). */
  public static byte[] encode(FeatureSetContract contract, Object[] keyValues) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      List<EntityKey> keys = contract.entity().keys();
      for (int i = 0; i < keys.size(); i++) {
        writeKey(encoder, keys.get(i), keyValues[i]);
      }
      encoder.flush();
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.INTERNAL, "Cannot encode a key of " + contract.id() + ": " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /**
   * Encodes key values given as text (query parameters, JSON and Arrow key columns). A missing or
   * malformed value is a clear INVALID_ARGUMENT naming the key and what was expected.
   */
  public static byte[] encode(FeatureSetContract contract, Map<String, String> keyValues) {
    List<EntityKey> keyList = contract.entity().keys();
    byte[][] parts = new byte[keyList.size()][];
    long[] numbers = new long[keyList.size()];
    int size = 0;
    for (int i = 0; i < keyList.size(); i++) {
      EntityKey k = keyList.get(i);
      String v = keyValues.get(k.name());
      if (v == null) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
            "Cannot look up " + contract.name() + ": missing key '" + k.name() + "' (keys: " + contract.entity().keyNames() + ")");
      }
      if (k.type() == FeatureType.STRING) {
        parts[i] = v.getBytes(StandardCharsets.UTF_8);
        size += 10 + parts[i].length;
      } else {
        try {
          numbers[i] = ((Number) k.type().parse(v)).longValue();
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
        pos += BinaryData.encodeLong(parts[i].length, out, pos);
        System.arraycopy(parts[i], 0, out, pos, parts[i].length);
        pos += parts[i].length;
      } else {
        pos += BinaryData.encodeLong(numbers[i], out, pos);
      }
    }
    return Arrays.copyOf(out, pos);
  }

  /** The typed key values of an encoded key (String, Integer or Long). */
  public static Object[] decode(FeatureSetContract contract, byte[] key) {
    BinaryDecoder in = DecoderFactory.get().binaryDecoder(key, null);
    List<EntityKey> keys = contract.entity().keys();
    Object[] out = new Object[keys.size()];
    try {
      for (int i = 0; i < out.length; i++) {
        out[i] = switch (keys.get(i).type()) {
          case STRING -> in.readString();
          case INT -> in.readInt();
          default -> in.readLong();
        };
      }
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot decode a key of " + contract.id() + ": " + e.getMessage(), e);
    }
    return out;
  }

  static void writeKey(BinaryEncoder encoder, EntityKey key, Object value) throws IOException {
    switch (key.type()) {
      case STRING -> encoder.writeString(value.toString());
      case INT -> encoder.writeInt(((Number) value).intValue());
      default -> encoder.writeLong(((Number) value).longValue());
    }
  }
}
