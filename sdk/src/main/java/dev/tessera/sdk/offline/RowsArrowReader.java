package dev.tessera.sdk.offline;

import dev.tessera.offline.snapshot.spine.Spine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** Arrow batches over the rows of a snapshot output file (Iceberg generic values → Arrow vectors). */
final class RowsArrowReader extends ArrowReader {
  private final Spine rows;
  private final int batchRows;
  private CloseableIterable<Object[]> iterable;
  private Iterator<Object[]> it;
  private long read;

  RowsArrowReader(Spine rows, BufferAllocator allocator, int batchRows) {
    super(allocator);
    this.rows = rows;
    this.batchRows = batchRows;
  }

  @Override
  protected Schema readSchema() {
    List<Field> fields = new ArrayList<>();
    for (Spine.Column c : rows.columns()) {
      fields.add(new Field(c.name(), FieldType.nullable(arrowType(c.type())), null));
    }
    return new Schema(fields);
  }

  static ArrowType arrowType(Type t) {
    return switch (t.typeId()) {
      case INTEGER -> new ArrowType.Int(32, true);
      case LONG -> new ArrowType.Int(64, true);
      case FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
      case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MILLISECOND, ((Types.TimestampType) t).shouldAdjustToUTC() ? "UTC" : null);
      default -> ArrowType.Utf8.INSTANCE;
    };
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    prepareLoadNextBatch();
    if (it == null) {
      iterable = rows.rows();
      it = iterable.iterator();
    }
    VectorSchemaRoot root = getVectorSchemaRoot();
    root.allocateNew();
    List<FieldVector> vectors = root.getFieldVectors();
    int n = 0;
    while (n < batchRows && it.hasNext()) {
      Object[] row = it.next();
      for (int c = 0; c < vectors.size(); c++) {
        set(vectors.get(c), n, row[c]);
      }
      n++;
    }
    for (FieldVector v : vectors) {
      v.setValueCount(n);
    }
    root.setRowCount(n);
    read += n;
    return n > 0;
  }

  private static void set(FieldVector v, int i, Object value) {
    if (value == null) {
      v.setNull(i);
    } else if (v instanceof IntVector x) {
      x.setSafe(i, ((Number) value).intValue());
    } else if (v instanceof BigIntVector x) {
      x.setSafe(i, ((Number) value).longValue());
    } else if (v instanceof Float4Vector x) {
      x.setSafe(i, ((Number) value).floatValue());
    } else if (v instanceof Float8Vector x) {
      x.setSafe(i, ((Number) value).doubleValue());
    } else if (v instanceof BitVector x) {
      x.setSafe(i, (Boolean) value ? 1 : 0);
    } else if (v instanceof TimeStampMilliTZVector x) {
      x.setSafe(i, millis(value));
    } else if (v instanceof TimeStampMilliVector x) {
      x.setSafe(i, millis(value));
    } else {
      ((VarCharVector) v).setSafe(i, value.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  private static long millis(Object v) {
    if (v instanceof OffsetDateTime o) {
      return o.toInstant().toEpochMilli();
    }
    if (v instanceof LocalDateTime l) {
      return l.toInstant(ZoneOffset.UTC).toEpochMilli();
    }
    return ((Number) v).longValue() / 1000; // Iceberg timestamps as micros
  }

  @Override
  public long bytesRead() {
    return read;
  }

  @Override
  protected void closeReadSource() throws IOException {
    if (iterable != null) {
      iterable.close();
    }
  }
}
