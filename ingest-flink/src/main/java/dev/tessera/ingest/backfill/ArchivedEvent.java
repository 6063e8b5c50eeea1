package dev.tessera.ingest.backfill;

import dev.tessera.contracts.schema.SourceTypes;
import dev.tessera.ingest.window.ValueArrayCodec;
import dev.tessera.offline.sort.ExternalSorter;
import dev.tessera.offline.table.EventTables;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.iceberg.data.Record;

/**
 * One event of the events archive: where it came from and its source fields (in the source
 * schema's order, raw as a payload decodes them: timestamps as the schema's millis or micros).
 */
public record ArchivedEvent(String source, int partition, long offset, Object[] values) {
  /** Replay order: by source, partition, then offset: the order a stream or a file backfill saw them. */
  public static final Comparator<ArchivedEvent> ORDER = Comparator.comparing(ArchivedEvent::source)
      .thenComparingInt(ArchivedEvent::partition).thenComparingLong(ArchivedEvent::offset);

  public static final ExternalSorter.Codec<ArchivedEvent> CODEC = new ExternalSorter.Codec<>() {
    @Override
    public void write(DataOutputStream out, ArchivedEvent e) throws IOException {
      out.writeUTF(e.source);
      out.writeInt(e.partition);
      out.writeLong(e.offset);
      ValueArrayCodec.write(out, e.values);
    }

    @Override
    public ArchivedEvent read(DataInputStream in) throws IOException {
      return new ArchivedEvent(in.readUTF(), in.readInt(), in.readLong(), ValueArrayCodec.read(in));
    }

    @Override
    public long estimatedBytes(ArchivedEvent e) {
      return 64L + 24L * e.values.length;
    }
  };

  /** Whether this is the same event (the same coordinates) as {@code other}: a duplicate to drop. */
  public boolean sameCoordinates(ArchivedEvent other) {
    return other != null && offset == other.offset && partition == other.partition && source.equals(other.source);
  }

  /** The fields by name, as {@code EventDecoder.validate} takes them. */
  public Map<String, Object> fields(Schema sourceSchema) {
    List<Schema.Field> fields = sourceSchema.getFields();
    Map<String, Object> out = new HashMap<>(fields.size() * 2);
    for (int i = 0; i < fields.size(); i++) {
      out.put(fields.get(i).name(), values[i]);
    }
    return out;
  }

  /** Reads one archive row: the source schema's fields by name, converted back to raw values. */
  public static ArchivedEvent fromArchive(Record r, Schema sourceSchema) {
    List<Schema.Field> fields = sourceSchema.getFields();
    Object[] values = new Object[fields.size()];
    for (int i = 0; i < values.length; i++) {
      Schema.Field f = fields.get(i);
      Object v;
      try {
        v = r.getField(f.name());
      } catch (RuntimeException absent) {
        v = null; // a field the archive never had
      }
      if (v instanceof OffsetDateTime t) {
        long micros = t.toEpochSecond() * 1_000_000 + t.getNano() / 1000;
        v = SourceTypes.isMicros(f.schema()) ? micros : Math.floorDiv(micros, 1000);
      } else if (v instanceof CharSequence s) {
        v = s.toString();
      }
      values[i] = v;
    }
    return new ArchivedEvent((String) r.getField(EventTables.SOURCE), (Integer) r.getField(EventTables.PARTITION),
        (Long) r.getField(EventTables.OFFSET), values);
  }
}
