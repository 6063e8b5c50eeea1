package dev.tessera.ingest.window;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Binary form of a {@link KeyState} in a known {@link Layout} (the layout itself is written once
 * per checkpoint, in {@link KeyStateSerializer}'s snapshot, not per key): partials in the layout's
 * feature order, pending events with the layout's fields, and the coverage of added features.
 */
public final class KeyStateCodec {
  /** Format of the bytes below; the layout's version is separate (the contract's). */
  private static final byte FORMAT = 2;

  private KeyStateCodec() {}

  public static byte[] encode(KeyState s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      encode(s, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Writes what {@link #encode(KeyState)} returns to {@code out} (a reused buffer: no allocation per key). */
  public static void encode(KeyState s, java.io.DataOutput out) throws IOException {
    out.writeByte(FORMAT);
    out.writeInt(s.history.length);
    writePartials(out, s.history);
    out.writeInt(s.buckets.size());
    for (int b = s.buckets.start(), end = s.buckets.end(); b < end; b++) {
      out.writeLong(s.buckets.key(b));
      writePartials(out, s.buckets.value(b));
    }
    out.writeInt(s.pending.size());
    for (Map.Entry<Long, List<KeyState.Pending>> e : s.pending.entrySet()) {
      out.writeLong(e.getKey());
      out.writeInt(e.getValue().size());
      for (KeyState.Pending p : e.getValue()) {
        out.writeLong(p.seq());
        ValueArrayCodec.write(out, p.fields());
      }
    }
    out.writeLong(s.finalizedUntil);
    out.writeBoolean(s.lastFinal != null);
    if (s.lastFinal != null) {
      ValueArrayCodec.write(out, s.lastFinal);
    }
    out.writeLong(s.sequence);
    out.writeBoolean(s.coveredFrom != null);
    if (s.coveredFrom != null) {
      for (long c : s.coveredFrom) {
        out.writeLong(c);
      }
    }
  }

  /** Reads bytes written in {@code layout}. */
  public static KeyState decode(byte[] bytes, Layout layout) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new IOException("window state of format " + format + ", expected " + FORMAT
            + " (state written by an earlier Tessera build cannot be restored; rebuild it with tessera backfill)");
      }
      KeyState s = new KeyState(layout);
      int n = in.readInt();
      if (n != s.history.length) {
        throw new IOException("window state with " + n + " features, but its layout " + layout.version() + " has " + s.history.length);
      }
      readPartials(in, s.history);
      for (int b = in.readInt(); b > 0; b--) {
        long bucket = in.readLong();
        PartialAggregate[] slots = new PartialAggregate[n];
        readPartials(in, slots);
        s.buckets.put(bucket, slots);
      }
      for (int p = in.readInt(); p > 0; p--) {
        long time = in.readLong();
        for (int m = in.readInt(); m > 0; m--) {
          s.addPending(time, in.readLong(), ValueArrayCodec.read(in));
        }
      }
      s.finalizedUntil = in.readLong();
      s.lastFinal = in.readBoolean() ? ValueArrayCodec.read(in) : null;
      s.sequence = in.readLong();
      if (in.readBoolean()) {
        s.coveredFrom = new long[n];
        for (int i = 0; i < n; i++) {
          s.coveredFrom[i] = in.readLong();
        }
      }
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writePartials(java.io.DataOutput out, PartialAggregate[] partials) throws IOException {
    for (PartialAggregate p : partials) {
      out.writeBoolean(p != null);
      if (p == null) {
        continue;
      }
      out.writeLong(p.count);
      out.writeDouble(p.sum);
      out.writeLong(p.longSum);
      ValueArrayCodec.writeValue(out, p.min);
      ValueArrayCodec.writeValue(out, p.max);
      out.writeLong(p.firstTime);
      out.writeLong(p.firstSeq);
      ValueArrayCodec.writeValue(out, p.first);
      out.writeLong(p.lastTime);
      out.writeLong(p.lastSeq);
      ValueArrayCodec.writeValue(out, p.last);
      out.writeBoolean(p.anyEvent);
    }
  }

  private static void readPartials(DataInputStream in, PartialAggregate[] partials) throws IOException {
    for (int i = 0; i < partials.length; i++) {
      if (!in.readBoolean()) {
        continue;
      }
      PartialAggregate p = new PartialAggregate();
      p.count = in.readLong();
      p.sum = in.readDouble();
      p.longSum = in.readLong();
      p.setMin(ValueArrayCodec.readValue(in));
      p.setMax(ValueArrayCodec.readValue(in));
      p.firstTime = in.readLong();
      p.firstSeq = in.readLong();
      p.first = ValueArrayCodec.readValue(in);
      p.lastTime = in.readLong();
      p.lastSeq = in.readLong();
      p.last = ValueArrayCodec.readValue(in);
      p.anyEvent = in.readBoolean();
      partials[i] = p;
    }
  }
}
