package dev.tessera.ingest.backfill;

import dev.tessera.ingest.window.ValueArrayCodec;
import dev.tessera.offline.sort.ExternalSorter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Comparator;

/** An event the replay accepted: its key (as the stream keys it, and encoded), time, arrival sequence and projected fields. */
public record AcceptedEvent(String key, byte[] encodedKey, long time, long seq, Object[] fields) {
  /** Per key, in event-time order (ties by arrival), so each key's windows run forward with bounded state. */
  public static final Comparator<AcceptedEvent> ORDER = Comparator.comparing(AcceptedEvent::key)
      .thenComparingLong(AcceptedEvent::time).thenComparingLong(AcceptedEvent::seq);

  public static final ExternalSorter.Codec<AcceptedEvent> CODEC = new ExternalSorter.Codec<>() {
    @Override
    public void write(DataOutputStream out, AcceptedEvent e) throws IOException {
      out.writeUTF(e.key);
      out.writeInt(e.encodedKey.length);
      out.write(e.encodedKey);
      out.writeLong(e.time);
      out.writeLong(e.seq);
      ValueArrayCodec.write(out, e.fields);
    }

    @Override
    public AcceptedEvent read(DataInputStream in) throws IOException {
      String key = in.readUTF();
      byte[] encoded = new byte[in.readInt()];
      in.readFully(encoded);
      return new AcceptedEvent(key, encoded, in.readLong(), in.readLong(), ValueArrayCodec.read(in));
    }

    @Override
    public long estimatedBytes(AcceptedEvent e) {
      return 96L + 2L * e.key.length() + e.encodedKey.length + 24L * e.fields.length;
    }
  };
}
