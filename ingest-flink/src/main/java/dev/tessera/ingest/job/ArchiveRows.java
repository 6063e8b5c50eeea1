package dev.tessera.ingest.job;

import dev.tessera.contracts.schema.SourceTypes;
import dev.tessera.ingest.window.ValueArrayCodec;
import dev.tessera.offline.table.EventTables;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Archived events as Iceberg RowData of the events archive, column by name: the coordinates, the
 * event time, and each source field (a column the source schema no longer has is null).
 */
final class ArchiveRows implements MapFunction<JobRecords.Archived, RowData> {
  private static final int SOURCE = -1;
  private static final int PARTITION = -2;
  private static final int OFFSET = -3;
  private static final int EVENT_TIME = -4;
  private static final int ABSENT = Integer.MIN_VALUE;

  private final int[] from;
  private final Type.TypeID[] types;
  private final boolean[] micros;

  ArchiveRows(org.apache.avro.Schema sourceSchema, org.apache.iceberg.Schema tableSchema) {
    List<Types.NestedField> columns = tableSchema.columns();
    from = new int[columns.size()];
    types = new Type.TypeID[columns.size()];
    micros = new boolean[columns.size()];
    List<org.apache.avro.Schema.Field> fields = sourceSchema.getFields();
    for (int i = 0; i < from.length; i++) {
      Types.NestedField c = columns.get(i);
      types[i] = c.type().typeId();
      from[i] = switch (c.name()) {
        case EventTables.SOURCE -> SOURCE;
        case EventTables.PARTITION -> PARTITION;
        case EventTables.OFFSET -> OFFSET;
        case EventTables.EVENT_TIME -> EVENT_TIME;
        default -> {
          org.apache.avro.Schema.Field f = sourceSchema.getField(c.name());
          if (f == null) {
            yield ABSENT;
          }
          micros[i] = SourceTypes.isMicros(f.schema());
          yield fields.indexOf(f);
        }
      };
    }
  }

  @Override
  public RowData map(JobRecords.Archived e) {
    Object[] values = ValueArrayCodec.decode(e.fields);
    GenericRowData row = new GenericRowData(from.length);
    for (int i = 0; i < from.length; i++) {
      row.setField(i, switch (from[i]) {
        case SOURCE -> StringData.fromString(e.source);
        case PARTITION -> e.partition;
        case OFFSET -> e.offset;
        case EVENT_TIME -> e.eventTime == null ? null : TimestampData.fromEpochMillis(e.eventTime);
        case ABSENT -> null;
        default -> flink(values[from[i]], types[i], micros[i]);
      });
    }
    return row;
  }

  private static Object flink(Object v, Type.TypeID type, boolean micros) {
    if (v == null) {
      return null;
    }
    return switch (type) {
      case STRING -> StringData.fromString(v.toString());
      case TIMESTAMP -> {
        long raw = ((Number) v).longValue();
        yield micros ? TimestampData.fromEpochMillis(Math.floorDiv(raw, 1000), (int) Math.floorMod(raw, 1000) * 1000)
            : TimestampData.fromEpochMillis(raw);
      }
      case INTEGER -> ((Number) v).intValue();
      case LONG -> ((Number) v).longValue();
      case FLOAT -> ((Number) v).floatValue();
      case DOUBLE -> ((Number) v).doubleValue();
      default -> v;
    };
  }
}
