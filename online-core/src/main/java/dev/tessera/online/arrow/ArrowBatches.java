package dev.tessera.online.arrow;

import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.schema.FeatureRowSchemas;
import dev.tessera.online.lookup.FeatureLookup;
import dev.tessera.online.lookup.FeatureSelection;
import dev.tessera.contracts.model.Feature;
import dev.tessera.online.store.StoredRow;
import dev.tessera.contracts.rows.RowSinkAdapter;
import org.apache.avro.util.Utf8;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.UInt4Vector;

/**
 * Arrow IPC streams for batch lookups (what GPU inference services use): a response is one record
 * batch with one row per entity in request order, one column per feature named {@code
 * <featureSet>__<feature>} and a {@code <featureSet>__event_time} column (UTC milliseconds). A
 * value that is not served (MISSING or EXPIRED) is null; EXPIRED rows keep their event time, so
 * the two can be told apart. A request body is an IPC stream whose columns are entity keys.
 */
public final class ArrowBatches {
  public static final String MEDIA_TYPE = "application/vnd.apache.arrow.stream";
  public static final String SEPARATOR = "__";
  /** Schema metadata key prefix: {@code tessera.version.<feature set>} = the contract version that served it. */
  public static final String VERSION_KEY = "tessera.version.";

  private ArrowBatches() {}

  /**
   * The response schema of {@code selection}: per feature set, its selected features in request
   * order, then its event time; all nullable, typed as {@link FeatureRowSchemas#arrowType}. The
   * schema metadata says which contract version served each feature set: {@code
   * tessera.version.<feature set>} = {@code 1.2.0}.
   */
  public static Schema schema(FeatureSelection selection) {
    List<Field> fields = new ArrayList<>();
    java.util.Map<String, String> versions = new java.util.LinkedHashMap<>();
    for (FeatureSelection.Part part : selection.parts()) {
      versions.put(VERSION_KEY + part.name(), part.contract().version().toString());
      String prefix = part.name() + SEPARATOR;
      for (String feature : part.features()) {
        FeatureType type = part.type(feature);
        fields.add(new Field(prefix + feature, FieldType.nullable(FeatureRowSchemas.arrowType(type)), null));
      }
      fields.add(new Field(prefix + FeatureSetContract.EVENT_TIME_COLUMN, FieldType.nullable(FeatureRowSchemas.arrowType(FeatureType.TIMESTAMP)), null));
    }
    return new Schema(fields, versions);
  }

  /**
   * Writes the rows of each selected feature set (in selection order, one {@link FeatureLookup.Rows}
   * per part) as an Arrow IPC stream of one record batch, decoding each stored row straight into
   * the vectors (no intermediate objects: this is the batch path GPU services use).
   */
  public static byte[] write(BufferAllocator allocator, FeatureSelection selection, List<FeatureLookup.Rows> parts) {
    try (VectorSchemaRoot root = vectors(allocator, selection, parts)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(256 + root.getRowCount() * root.getSchema().getFields().size() * 10);
      try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.INTERNAL, "Cannot write the Arrow response: " + e.getMessage(), e);
    }
  }

  /**
   * The rows of each selected feature set as one batch of vectors, the schema of {@link
   * #schema(FeatureSelection)}; what {@link #write} serializes, and what an embedded reader (the
   * model service's embedded features) uses as is. The caller closes it.
   */
  public static VectorSchemaRoot vectors(BufferAllocator allocator, FeatureSelection selection, List<FeatureLookup.Rows> parts) {
    Schema schema = schema(selection);
    int rows = parts.isEmpty() ? 0 : parts.get(0).rows().size();
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    try {
      root.allocateNew(); // every value starts null
      int column = 0;
      for (int p = 0; p < parts.size(); p++) {
        FeatureSelection.Part part = selection.parts().get(p);
        FeatureLookup.Rows stored = parts.get(p);
        List<Feature> features = part.contract().features();
        FieldVector[] target = new FieldVector[features.size()];
        for (String f : part.features()) {
          int index = indexOf(features, f);
          FieldVector v = root.getVector(column++);
          if (index >= 0) {
            target[index] = v; // a removed feature's column stays null
          }
        }
        TimeStampMilliTZVector time = (TimeStampMilliTZVector) root.getVector(column++);
        VectorSink sink = new VectorSink(target);
        for (int i = 0; i < rows; i++) {
          StoredRow row = stored.rows().get(i);
          if (row == null) {
            continue; // MISSING: all null
          }
          time.setSafe(i, row.eventTime());
          if (stored.status(i) != FeatureLookup.Status.OK) {
            continue; // EXPIRED: event time only, never a stale value
          }
          sink.row = i;
          stored.reader().read(row.value(), sink);
        }
      }
      for (FieldVector v : root.getFieldVectors()) {
        v.setValueCount(rows);
      }
      root.setRowCount(rows);
      return root;
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  /** Writes resolved values straight into the selected columns (null where not selected or missing). */
  private static final class VectorSink extends RowSinkAdapter {
    private final FieldVector[] target;
    int row;

    VectorSink(FieldVector[] target) {
      this.target = target;
    }

    @Override
    public void intValue(int f, int v) {
      if (target[f] != null) {
        ((IntVector) target[f]).setSafe(row, v);
      }
    }

    @Override
    public void longValue(int f, long v) {
      if (target[f] instanceof BigIntVector b) {
        b.setSafe(row, v);
      } else if (target[f] instanceof TimeStampMilliTZVector t) {
        t.setSafe(row, v);
      }
    }

    @Override
    public void floatValue(int f, float v) {
      if (target[f] != null) {
        ((Float4Vector) target[f]).setSafe(row, v);
      }
    }

    @Override
    public void doubleValue(int f, double v) {
      if (target[f] != null) {
        ((Float8Vector) target[f]).setSafe(row, v);
      }
    }

    @Override
    public void booleanValue(int f, boolean v) {
      if (target[f] != null) {
        ((BitVector) target[f]).setSafe(row, v ? 1 : 0);
      }
    }

    @Override
    public void stringValue(int f, Utf8 v) {
      if (target[f] != null) {
        ((VarCharVector) target[f]).setSafe(row, v.getBytes(), 0, v.getByteLength());
      }
    }
  }

  private static int indexOf(List<Feature> features, String name) {
    for (int i = 0; i < features.size(); i++) {
      if (features.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Reads entity keys from an Arrow IPC stream: each column is a key (strings or integers), each
   * row an entity; every batch of the stream is read. A column of another type is INVALID_ARGUMENT
   * naming it.
   */
  public static List<Map<String, String>> readKeys(BufferAllocator allocator, byte[] body) {
    List<Map<String, String>> entities = new ArrayList<>();
    try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(body), allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      for (Field f : root.getSchema().getFields()) {
        ArrowType t = f.getType();
        boolean ok = t instanceof ArrowType.Utf8 || t instanceof ArrowType.LargeUtf8 || t instanceof ArrowType.Int;
        if (!ok) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
              "Arrow body: key column '" + f.getName() + "' has type " + t + "; expected utf8 or an integer type");
        }
      }
      while (reader.loadNextBatch()) {
        for (int i = 0; i < root.getRowCount(); i++) {
          Map<String, String> entity = new HashMap<>();
          for (FieldVector v : root.getFieldVectors()) {
            if (!v.isNull(i)) {
              entity.put(v.getName(), keyString(v, i));
            }
          }
          entities.add(entity);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof TesseraException te) {
        throw te;
      }
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Arrow body: not a readable Arrow IPC stream (" + e.getMessage() + ")", e);
    }
    return entities;
  }

  private static String keyString(FieldVector v, int i) {
    if (v instanceof VarCharVector s) {
      return new String(s.get(i), StandardCharsets.UTF_8);
    }
    if (v instanceof LargeVarCharVector s) {
      return new String(s.get(i), StandardCharsets.UTF_8);
    }
    if (v instanceof UInt4Vector u) {
      return Long.toString(u.getValueAsLong(i));
    }
    if (v instanceof SmallIntVector s) {
      return Short.toString(s.get(i));
    }
    Object o = v.getObject(i);
    return o.toString();
  }

  /** A key batch for {@code entities} (string columns), as clients send it. */
  public static byte[] writeKeys(BufferAllocator allocator, List<String> keyNames, List<Map<String, String>> entities) {
    List<Field> fields = keyNames.stream().map(k -> new Field(k, FieldType.nullable(ArrowType.Utf8.INSTANCE), null)).toList();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator)) {
      root.allocateNew();
      for (int c = 0; c < keyNames.size(); c++) {
        VarCharVector v = (VarCharVector) root.getVector(c);
        for (int i = 0; i < entities.size(); i++) {
          String value = entities.get(i).get(keyNames.get(c));
          if (value == null) {
            v.setNull(i);
          } else {
            v.setSafe(i, value.getBytes(StandardCharsets.UTF_8));
          }
        }
        v.setValueCount(entities.size());
      }
      root.setRowCount(entities.size());
      try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.INTERNAL, "Cannot write Arrow keys: " + e.getMessage(), e);
    }
    return out.toByteArray();
  }
}
