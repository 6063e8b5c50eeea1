package dev.tessera.contracts.rows;

import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.errors.TesseraException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Writes changelog rows of one contract version: Avro single-object encoding ({@code C3 01}, the
 * 8-byte little-endian fingerprint of {@link WriterSchema#of}, then the Avro binary body: keys,
 * features, {@code event_time}, {@code tessera_seq}, {@code tessera_missing}). Values are written
 * directly, without generic records. Not thread-safe: one per task.
 *
 * <p>{@code
 * ChangelogRowWriter writer = new ChangelogRowWriter(contract);
 * byte[] value = writer.encode(new Object[] {"c-1"}, new Object[] {3L, 120.5, null}, eventTime, seq, null);
 * }
 */
public final class ChangelogRowWriter {
  private final FeatureSetContract contract;
  private final WriterSchema schema;
  private final byte[] header;
  private final FeatureType[] types;
  private final int keyCount;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(128);
  private BinaryEncoder encoder;

  public ChangelogRowWriter(FeatureSetContract contract) {
    this.contract = contract;
    this.schema = WriterSchema.of(contract);
    this.header = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).put((byte) 0xC3).put((byte) 0x01)
        .putLong(schema.fingerprint()).array();
    this.types = contract.features().stream().map(Feature::type).toArray(FeatureType[]::new);
    this.keyCount = contract.entity().keys().size();
  }

  /** The schema every row of this writer carries. */
  public WriterSchema schema() {
    return schema;
  }

  /**
   * One row: typed key values (key order), feature values (contract order, null for none), the
   * row's event time and sequence, and the features not computed yet ({@code missing}, by
   * feature index; null or empty for none).
   */
  public byte[] encode(Object[] keyValues, Object[] values, long eventTime, long sequence, BitSet missing) {
    if (keyValues.length != keyCount) {
      throw new TesseraException(ErrorCode.INTERNAL, "Cannot encode a row of " + contract.id() + ": " + keyValues.length
          + " keys, expected " + keyCount);
    }
    return encode(EntityKeys.encode(contract, keyValues), values, eventTime, sequence, missing);
  }

  /** One row whose keys are already encoded ({@link EntityKeys}: the row body starts with exactly those bytes). */
  public byte[] encode(byte[] encodedKey, Object[] values, long eventTime, long sequence, BitSet missing) {
    if (values.length != types.length) {
      throw new TesseraException(ErrorCode.INTERNAL, "Cannot encode a row of " + contract.id() + ": " + values.length
          + " values, expected " + types.length);
    }
    buffer.reset();
    buffer.write(header, 0, header.length);
    buffer.write(encodedKey, 0, encodedKey.length);
    encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
    try {
      for (int i = 0; i < values.length; i++) {
        Object v = values[i];
        if (v == null) {
          encoder.writeIndex(0);
        } else {
          encoder.writeIndex(1);
          write(types[i], v);
        }
      }
      encoder.writeLong(eventTime);
      encoder.writeLong(sequence);
      if (missing == null || missing.isEmpty()) {
        encoder.writeIndex(0);
      } else {
        encoder.writeIndex(1);
        encoder.writeArrayStart();
        encoder.setItemCount(missing.cardinality());
        for (int f = missing.nextSetBit(0); f >= 0; f = missing.nextSetBit(f + 1)) {
          encoder.startItem();
          encoder.writeString(contract.features().get(f).name());
        }
        encoder.writeArrayEnd();
      }
      encoder.flush();
    } catch (IOException | ClassCastException e) {
      throw new TesseraException(ErrorCode.INTERNAL, "Cannot encode a row of " + contract.id() + ": " + e.getMessage(), e);
    }
    return buffer.toByteArray();
  }

  private void write(FeatureType type, Object v) throws IOException {
    switch (type) {
      case INT -> encoder.writeInt(((Number) v).intValue());
      case LONG, TIMESTAMP -> encoder.writeLong(((Number) v).longValue());
      case FLOAT -> encoder.writeFloat(((Number) v).floatValue());
      case DOUBLE -> encoder.writeDouble(((Number) v).doubleValue());
      case BOOLEAN -> encoder.writeBoolean((Boolean) v);
      case STRING -> encoder.writeString(v.toString());
    }
  }
}
