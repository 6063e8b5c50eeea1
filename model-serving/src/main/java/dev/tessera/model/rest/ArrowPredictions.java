package dev.tessera.model.rest;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.model.config.ModelConfig;
import dev.tessera.model.predict.Prediction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Predictions as Arrow IPC streams, with the lookup's content type. A request is a stream whose
 * columns are the entity keys (strings). An answer is one record batch, one row per entity in
 * request order: the entity keys; {@code error} (null, or why the entity was refused); one float64
 * column per output ({@code <output>}, or {@code <output>__<i>} for each element of a vector
 * output); and with {@code return_features=true}, the values the model saw as {@code
 * <feature set>__<feature>}. Schema metadata: {@code tessera.model}, {@code tessera.model.version}.
 */
public final class ArrowPredictions {
  public static final String MEDIA_TYPE = "application/vnd.apache.arrow.stream";
  private static final BufferAllocator ALLOCATOR = new RootAllocator();

  private ArrowPredictions() {}

  /** The entities of an IPC stream of key columns. */
  public static List<Map<String, String>> readEntities(byte[] body) {
    List<Map<String, String>> out = new ArrayList<>();
    try (BufferAllocator a = ALLOCATOR.newChildAllocator("predict-request", 0, Long.MAX_VALUE);
        ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(body), a)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      while (reader.loadNextBatch()) {
        for (int r = 0; r < root.getRowCount(); r++) {
          Map<String, String> keys = new LinkedHashMap<>();
          for (FieldVector v : root.getFieldVectors()) {
            Object value = v.getObject(r);
            if (value != null) {
              keys.put(v.getName(), value.toString());
            }
          }
          out.add(keys);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read the request body as an Arrow IPC stream of entity key columns: " + e.getMessage());
    }
    return out;
  }

  public static byte[] write(Prediction p, ModelConfig config) {
    List<Field> fields = new ArrayList<>();
    FieldType text = FieldType.nullable(new ArrowType.Utf8());
    FieldType number = FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
    for (String k : config.entityKeys()) {
      fields.add(new Field(k, text, null));
    }
    fields.add(new Field("error", text, null));
    Map<String, Integer> widths = new LinkedHashMap<>();
    for (Prediction.Entity e : p.entities()) {
      if (e.outputs() != null) {
        e.outputs().forEach((name, v) -> widths.put(name, v instanceof double[] a ? a.length : 0));
        break;
      }
    }
    widths.forEach((name, width) -> {
      if (width == 0) {
        fields.add(new Field(name, number, null));
      } else {
        for (int i = 0; i < width; i++) {
          fields.add(new Field(name + "__" + i, number, null));
        }
      }
    });
    if (p.returnFeatures()) {
      for (String f : p.featureNames()) {
        fields.add(new Field(f, number, null));
      }
    }
    Schema schema = new Schema(fields, Map.of("tessera.model", config.name(), "tessera.model.version", p.version().version().toString()));
    int rows = p.entities().size();
    try (BufferAllocator a = ALLOCATOR.newChildAllocator("predict-answer", 0, Long.MAX_VALUE);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, a)) {
      root.allocateNew();
      int col = 0;
      for (String k : config.entityKeys()) {
        VarCharVector v = (VarCharVector) root.getVector(col++);
        for (int r = 0; r < rows; r++) {
          v.setSafe(r, p.entities().get(r).keys().get(k).getBytes(StandardCharsets.UTF_8));
        }
      }
      VarCharVector error = (VarCharVector) root.getVector(col++);
      for (int r = 0; r < rows; r++) {
        String rejected = p.entities().get(r).rejected();
        if (rejected != null) {
          error.setSafe(r, ("MISSING_FEATURES: missing " + rejected + ", whose missing policy is reject").getBytes(StandardCharsets.UTF_8));
        } else {
          error.setNull(r);
        }
      }
      for (Map.Entry<String, Integer> w : widths.entrySet()) {
        int width = Math.max(1, w.getValue());
        for (int i = 0; i < width; i++) {
          Float8Vector v = (Float8Vector) root.getVector(col++);
          for (int r = 0; r < rows; r++) {
            Map<String, Object> outputs = p.entities().get(r).outputs();
            if (outputs == null) {
              v.setNull(r);
            } else {
              Object o = outputs.get(w.getKey());
              v.setSafe(r, o instanceof double[] arr ? arr[i] : (Double) o);
            }
          }
        }
      }
      if (p.returnFeatures()) {
        for (int c = 0; c < p.featureNames().size(); c++) {
          Float8Vector v = (Float8Vector) root.getVector(col++);
          for (int r = 0; r < rows; r++) {
            v.setSafe(r, p.entities().get(r).features()[c]);
          }
        }
      }
      root.setRowCount(rows);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(bytes))) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.INTERNAL, "Cannot write the Arrow answer: " + e.getMessage(), e);
    }
  }
}
