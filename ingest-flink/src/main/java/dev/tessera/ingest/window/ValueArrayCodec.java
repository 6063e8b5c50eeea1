package dev.tessera.ingest.window;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A self-describing binary encoding of value arrays (null, int, long, float, double, boolean,
 * string), for Flink records and state: compact, and no reflective serializer needed.
 */
public final class ValueArrayCodec {
  private ValueArrayCodec() {}

  public static byte[] encode(Object[] values) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 8 * values.length);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      write(out, values);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static Object[] decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void write(java.io.DataOutput out, Object[] values) throws IOException {
    out.writeInt(values.length);
    for (Object v : values) {
      writeValue(out, v);
    }
  }

  public static Object[] read(DataInputStream in) throws IOException {
    Object[] values = new Object[in.readInt()];
    for (int i = 0; i < values.length; i++) {
      values[i] = readValue(in);
    }
    return values;
  }

  public static void writeValue(java.io.DataOutput out, Object v) throws IOException {
    if (v == null) {
      out.writeByte(0);
    } else if (v instanceof Integer x) {
      out.writeByte(1);
      out.writeInt(x);
    } else if (v instanceof Long x) {
      out.writeByte(2);
      out.writeLong(x);
    } else if (v instanceof Float x) {
      out.writeByte(3);
      out.writeFloat(x);
    } else if (v instanceof Double x) {
      out.writeByte(4);
      out.writeDouble(x);
    } else if (v instanceof Boolean x) {
      out.writeByte(5);
      out.writeBoolean(x);
    } else {
      out.writeByte(6);
      out.writeUTF(v.toString());
    }
  }

  public static Object readValue(DataInputStream in) throws IOException {
    return switch (in.readByte()) {
      case 0 -> null;
      case 1 -> in.readInt();
      case 2 -> in.readLong();
      case 3 -> in.readFloat();
      case 4 -> in.readDouble();
      case 5 -> in.readBoolean();
      case 6 -> in.readUTF();
      default -> throw new IOException("unknown value tag");
    };
  }
}
