package dev.tessera.model.predict;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.model.config.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A batch's model input: the Arrow feature lookup copied into one direct buffer (native order, row
 * major, the model's element type), column by column with the vectors' primitive getters, so no
 * value is boxed. A null (no row, expired, or a feature missing from the row's version) becomes its
 * input's missing value; where that is {@code reject}, the row is marked and names the inputs.
 * The buffer is handed to ONNX Runtime as is; the values the model saw are read back from it.
 */
public final class FeatureMatrix {
  private final ByteBuffer buffer;
  private final int rows;
  private final int cols;
  private final boolean doubles;
  private final String[] rejected;
  private final List<String> featureSets;
  private final long[][] eventTimes;

  private FeatureMatrix(ByteBuffer buffer, int rows, int cols, boolean doubles, String[] rejected, List<String> featureSets, long[][] eventTimes) {
    this.buffer = buffer;
    this.rows = rows;
    this.cols = cols;
    this.doubles = doubles;
    this.rejected = rejected;
    this.featureSets = featureSets;
    this.eventTimes = eventTimes;
  }

  /** The name of an input in answers and logs: {@code <feature set as the config names it>__<feature>}. */
  public static String column(ModelConfig.Input input) {
    return input.feature().featureSet() + "__" + input.feature().feature();
  }

  /**
   * Copies {@code lookup} (one row per entity; the feature sets read as {@code pinned} names them,
   * {@code <name>@<major>}) into a matrix for {@code config}'s inputs; {@code elementBytes} 4
   * (float) or 8 (double).
   */
  public static FeatureMatrix of(VectorSchemaRoot lookup, ModelConfig config, Map<String, String> pinned, int elementBytes) {
    int rows = lookup.getRowCount();
    List<ModelConfig.Input> inputs = config.inputs();
    int cols = inputs.size();
    boolean doubles = elementBytes == 8;
    ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(1, rows * cols * elementBytes)).order(ByteOrder.nativeOrder());
    String[] rejected = new String[rows];
    for (int c = 0; c < cols; c++) {
      ModelConfig.Input input = inputs.get(c);
      String name = pinned.get(input.feature().featureSet()) + "__" + input.feature().feature();
      FieldVector v = lookup.getVector(name);
      if (v == null) {
        throw new TesseraException(ErrorCode.INTERNAL, "The feature lookup answered no column " + name + " (columns: "
            + lookup.getSchema().getFields().stream().map(f -> f.getName()).toList() + ")");
      }
      ModelConfig.Missing missing = input.policy(config.missing());
      double fill = missing.reject() ? 0 : missing.value();
      int at = c * elementBytes;
      int stride = cols * elementBytes;
      for (int r = 0; r < rows; r++, at += stride) {
        double x;
        if (v.isNull(r)) {
          if (missing.reject()) {
            rejected[r] = rejected[r] == null ? input.feature().toString() : rejected[r] + ", " + input.feature();
          }
          x = fill;
        } else if (v instanceof FloatingPointVector f) {
          x = f.getValueAsDouble(r);
        } else if (v instanceof BaseIntVector i) {
          x = i.getValueAsLong(r);
        } else if (v instanceof BitVector b) {
          x = b.get(r);
        } else {
          throw new TesseraException(ErrorCode.INTERNAL, "Column " + name + " is " + v.getField().getType() + ", not a number");
        }
        if (doubles) {
          buffer.putDouble(at, x);
        } else {
          buffer.putFloat(at, (float) x);
        }
      }
    }
    List<String> featureSets = new ArrayList<>();
    for (ModelConfig.Input input : inputs) {
      if (!featureSets.contains(input.feature().featureSet())) {
        featureSets.add(input.feature().featureSet());
      }
    }
    long[][] times = new long[featureSets.size()][rows];
    for (int s = 0; s < featureSets.size(); s++) {
      FieldVector v = lookup.getVector(pinned.get(featureSets.get(s)) + "__event_time");
      for (int r = 0; r < rows; r++) {
        times[s][r] = v instanceof TimeStampVector t && !t.isNull(r) ? t.get(r) : Long.MIN_VALUE;
      }
    }
    return new FeatureMatrix(buffer, rows, cols, doubles, rejected, featureSets, times);
  }

  public ByteBuffer buffer() {
    return buffer;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** The value the model saw at {@code row}, {@code col}. */
  public double value(int row, int col) {
    int i = row * cols + col;
    return doubles ? buffer.getDouble(i * 8) : buffer.getFloat(i * 4);
  }

  /** Null, or the inputs of {@code row} that are missing with {@code missing: reject}. */
  public String rejected(int row) {
    return rejected[row];
  }

  /** Per feature set read (as named by the inputs), the event time of {@code row}'s values (UTC ms; absent when none). */
  public Map<String, Long> eventTimes(int row) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (int s = 0; s < featureSets.size(); s++) {
      if (eventTimes[s][row] != Long.MIN_VALUE) {
        out.put(featureSets.get(s), eventTimes[s][row]);
      }
    }
    return out;
  }
}
