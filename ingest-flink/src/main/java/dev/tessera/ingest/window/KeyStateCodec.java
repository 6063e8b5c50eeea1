package dev.tessera.ingest.window;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Binary form of a {@link KeyState}, for Flink keyed state (checkpointed with the job). */
public final class KeyStateCodec {
  private KeyStateCodec() {}

  public static byte[] encode(KeyState s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(s.history.length);
      writePartials(out, s.history);
      out.writeInt(s.buckets.size());
      for (Map.Entry<Long, Partial[]> e : s.buckets.entrySet()) {
        out.writeLong(e.getKey());
        writePartials(out, e.getValue());
      }
      out.writeInt(s.pending.size());
      for (Map.Entry<Long, List<KeyState.Pending>> e : s.pending.entrySet()) {
        out.writeLong(e.getKey());
        out.writeInt(e.getValue().size());
        for (KeyState.Pending p : e.getValue()) {
          out.writeLong(p.seq());
          Tagged.write(out, p.fields());
        }
      }
      out.writeLong(s.finalizedUntil);
      out.writeBoolean(s.lastFinal != null);
      if (s.lastFinal != null) {
        Tagged.write(out, s.lastFinal);
      }
      out.writeLong(s.sequence);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static KeyState decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      KeyState s = new KeyState(in.readInt());
      readPartials(in, s.history);
      for (int n = in.readInt(); n > 0; n--) {
        long bucket = in.readLong();
        Partial[] slots = new Partial[s.history.length];
        readPartials(in, slots);
        s.buckets.put(bucket, slots);
      }
      for (int n = in.readInt(); n > 0; n--) {
        long time = in.readLong();
        for (int m = in.readInt(); m > 0; m--) {
          s.addPending(time, in.readLong(), Tagged.read(in));
        }
      }
      s.finalizedUntil = in.readLong();
      s.lastFinal = in.readBoolean() ? Tagged.read(in) : null;
      s.sequence = in.readLong();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writePartials(DataOutputStream out, Partial[] partials) throws IOException {
    for (Partial p : partials) {
      out.writeBoolean(p != null);
      if (p == null) {
        continue;
      }
      out.writeLong(p.count);
      out.writeDouble(p.sum);
      out.writeLong(p.longSum);
      Tagged.writeValue(out, p.min);
      Tagged.writeValue(out, p.max);
      out.writeLong(p.firstTime);
      out.writeLong(p.firstSeq);
      Tagged.writeValue(out, p.first);
      out.writeLong(p.lastTime);
      out.writeLong(p.lastSeq);
      Tagged.writeValue(out, p.last);
      out.writeBoolean(p.anyEvent);
    }
  }

  private static void readPartials(DataInputStream in, Partial[] partials) throws IOException {
    for (int i = 0; i < partials.length; i++) {
      if (!in.readBoolean()) {
        continue;
      }
      Partial p = new Partial();
      p.count = in.readLong();
      p.sum = in.readDouble();
      p.longSum = in.readLong();
      p.min = Tagged.readValue(in);
      p.max = Tagged.readValue(in);
      p.firstTime = in.readLong();
      p.firstSeq = in.readLong();
      p.first = Tagged.readValue(in);
      p.lastTime = in.readLong();
      p.lastSeq = in.readLong();
      p.last = Tagged.readValue(in);
      p.anyEvent = in.readBoolean();
      partials[i] = p;
    }
  }
}
