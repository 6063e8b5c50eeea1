package dev.tessera.offline.snapshot.join;

import dev.tessera.contracts.model.FeatureType;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/** Binary encoding of feature values (timestamps as epoch millis) for spilled sort runs. */
final class FeatureValueCodec {
  private FeatureValueCodec() {}

  static void write(DataOutputStream out, Object[] values, List<FeatureType> types) throws IOException {
    for (int i = 0; i < values.length; i++) {
      writeValue(out, values[i], types.get(i));
    }
  }

  /** One value as {@link #write} writes it: a presence flag, then the value (of {@code type}'s class). */
  static void writeValue(DataOutputStream out, Object v, FeatureType type) throws IOException {
    out.writeBoolean(v != null);
    if (v == null) {
      return;
    }
    switch (type) {
      case INT -> out.writeInt((Integer) v);
      case LONG, TIMESTAMP -> out.writeLong((Long) v);
      case FLOAT -> out.writeFloat((Float) v);
      case DOUBLE -> out.writeDouble((Double) v);
      case BOOLEAN -> out.writeBoolean((Boolean) v);
      case STRING -> writeString(out, (String) v);
    }
  }

  static Object[] read(DataInputStream in, List<FeatureType> types) throws IOException {
    Object[] values = new Object[types.size()];
    for (int i = 0; i < values.length; i++) {
      if (!in.readBoolean()) {
        continue;
      }
      values[i] = switch (types.get(i)) {
        case INT -> in.readInt();
        case LONG, TIMESTAMP -> in.readLong();
        case FLOAT -> in.readFloat();
        case DOUBLE -> in.readDouble();
        case BOOLEAN -> in.readBoolean();
        case STRING -> readString(in);
      };
    }
    return values;
  }

  /** As {@link #read(DataInputStream, List)}, from a buffer positioned at the values (big-endian, as DataOutputStream writes). */
  static Object[] read(java.nio.ByteBuffer in, List<FeatureType> types) {
    Object[] values = new Object[types.size()];
    for (int i = 0; i < values.length; i++) {
      if (in.get() == 0) {
        continue;
      }
      values[i] = switch (types.get(i)) {
        case INT -> in.getInt();
        case LONG, TIMESTAMP -> in.getLong();
        case FLOAT -> in.getFloat();
        case DOUBLE -> in.getDouble();
        case BOOLEAN -> in.get() != 0;
        case STRING -> {
          int n = in.getInt();
          String s = new String(in.array(), in.arrayOffset() + in.position(), n, java.nio.charset.StandardCharsets.UTF_8);
          in.position(in.position() + n);
          yield s;
        }
      };
    }
    return values;
  }

  static long estimate(Object[] values) {
    long n = 16 + 8L * values.length;
    for (Object v : values) {
      n += v instanceof String s ? 40 + 2L * s.length() : 16;
    }
    return n;
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readString(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }
}
