package dev.tessera.model.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.model.config.ModelConfig;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An ONNX model opened for a model config: an ONNX Runtime session on the configured provider
 * (CUDA where asked; not available is an error, never a silent CPU fallback), with its signature
 * checked against the config: one float or double input tensor of shape {@code [batch, N]} with
 * {@code N} the number of inputs (or a dynamic width), and at least one tensor output. A mismatch
 * names both sides.
 */
public final class OnnxModel implements AutoCloseable {
  private final OrtSession session;
  private final String input;
  private final OnnxJavaType inputType;
  private final Map<String, NodeInfo> outputs;

  private OnnxModel(OrtSession session, String input, OnnxJavaType inputType, Map<String, NodeInfo> outputs) {
    this.session = session;
    this.input = input;
    this.inputType = inputType;
    this.outputs = outputs;
  }

  /** Opens {@code config}'s artifact and checks its signature; INVALID_ARGUMENT naming both sides on a mismatch. */
  public static OnnxModel open(ModelConfig config) {
    return open(config, config.artifact());
  }

  /** Opens {@code artifact} (the primary's or the candidate's) for {@code config}'s inputs and runtime. */
  public static OnnxModel open(ModelConfig config, java.nio.file.Path artifact) {
    String what = config.file().getFileName() + ": model " + artifact.getFileName();
    if (!Files.isRegularFile(artifact)) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, config.file() + ": artifact " + artifact + " does not exist");
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session = null;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      if (config.runtime().provider() == ModelConfig.Provider.CUDA) {
        EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
        if (!available.contains(OrtProvider.CUDA)) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT, config.file() + ": runtime.provider cuda, but this ONNX Runtime has no CUDA"
              + " provider (available: " + available + "); run with onnxruntime_gpu on a machine with a GPU, or set provider: cpu");
        }
        options.addCUDA(config.runtime().deviceId());
      }
      session = env.createSession(artifact.toString(), options);
      Map<String, NodeInfo> inputs = session.getInputInfo();
      int n = config.inputs().size();
      String expected = "one float tensor input of shape [batch, " + n + "] (" + n + " inputs: "
          + config.inputs().stream().map(i -> i.feature().toString()).collect(Collectors.joining(", ")) + ")";
      if (inputs.size() != 1) {
        throw mismatch(what + " has " + inputs.size() + " inputs " + describe(inputs) + "; the config expects " + expected);
      }
      NodeInfo in = inputs.values().iterator().next();
      if (!(in.getInfo() instanceof TensorInfo t) || (t.type != OnnxJavaType.FLOAT && t.type != OnnxJavaType.DOUBLE)
          || t.getShape().length != 2 || (t.getShape()[1] >= 0 && t.getShape()[1] != n)) {
        throw mismatch(what + " takes input " + describe(inputs) + "; the config expects " + expected);
      }
      Map<String, NodeInfo> outputs = session.getOutputInfo();
      if (outputs.values().stream().noneMatch(o -> o.getInfo() instanceof TensorInfo)) {
        throw mismatch(what + " has no tensor output " + describe(outputs));
      }
      OnnxModel model = new OnnxModel(session, in.getName(), t.type, outputs);
      session = null;
      return model;
    } catch (OrtException e) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, what + ": cannot load it with ONNX Runtime: " + e.getMessage(), e);
    } finally {
      if (session != null) {
        try {
          session.close();
        } catch (OrtException ignored) {
          // closing a session that failed its checks
        }
      }
    }
  }

  private static TesseraException mismatch(String message) {
    return new TesseraException(ErrorCode.INVALID_ARGUMENT, message);
  }

  /** {@code 'name' float[-1,3]} for each node. */
  static String describe(Map<String, NodeInfo> nodes) {
    return nodes.values().stream().map(n -> "'" + n.getName() + "' " + (n.getInfo() instanceof TensorInfo t
        ? t.type.name().toLowerCase(java.util.Locale.ROOT) + Arrays.toString(t.getShape()).replace(" ", "") : n.getInfo().toString()))
        .collect(Collectors.joining(", ", "[", "]"));
  }

  /** What one run of the model answered: per tensor output, its values row by row ({@code width} per row). */
  public record Scores(java.util.LinkedHashMap<String, Output> outputs) {
    public record Output(int width, boolean scalar, double[] values) {
      public double at(int row, int i) {
        return values[row * width + i];
      }
    }
  }

  /**
   * Runs the model on {@code rows} rows of {@code matrix} (a direct buffer in native order, row
   * major, {@link #inputType()} elements, {@code cols} per row), wrapped without a copy.
   */
  public Scores run(java.nio.ByteBuffer matrix, int rows, int cols) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long[] shape = {rows, cols};
    try (ai.onnxruntime.OnnxTensor in = inputType == OnnxJavaType.DOUBLE
            ? ai.onnxruntime.OnnxTensor.createTensor(env, matrix.asDoubleBuffer(), shape)
            : ai.onnxruntime.OnnxTensor.createTensor(env, matrix.asFloatBuffer(), shape);
        OrtSession.Result result = session.run(Map.of(input, in))) {
      java.util.LinkedHashMap<String, Scores.Output> out = new java.util.LinkedHashMap<>();
      for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : result) {
        if (!(e.getValue() instanceof ai.onnxruntime.OnnxTensor t)) {
          continue; // sequences and maps (e.g. scikit-learn's ZipMap) are not answered; their tensor twins are
        }
        long[] s = t.getInfo().getShape();
        int width = 1;
        for (int i = 1; i < s.length; i++) {
          width *= (int) s[i];
        }
        double[] values = new double[rows * width];
        switch (t.getInfo().type) {
          case FLOAT -> {
            java.nio.FloatBuffer b = t.getFloatBuffer();
            for (int i = 0; i < values.length; i++) {
              values[i] = b.get(i);
            }
          }
          case DOUBLE -> t.getDoubleBuffer().get(values);
          case INT64 -> {
            java.nio.LongBuffer b = t.getLongBuffer();
            for (int i = 0; i < values.length; i++) {
              values[i] = b.get(i);
            }
          }
          case INT32 -> {
            java.nio.IntBuffer b = t.getIntBuffer();
            for (int i = 0; i < values.length; i++) {
              values[i] = b.get(i);
            }
          }
          default -> {
            continue; // strings and other element types are not numeric outputs
          }
        }
        out.put(e.getKey(), new Scores.Output(width, s.length <= 1, values));
      }
      return new Scores(out);
    } catch (OrtException e) {
      throw new TesseraException(ErrorCode.INTERNAL, "ONNX Runtime failed to run the model: " + e.getMessage(), e);
    }
  }

  /** Bytes per input element: 4 (float) or 8 (double). */
  public int elementBytes() {
    return inputType == OnnxJavaType.DOUBLE ? 8 : 4;
  }

  public OrtSession session() {
    return session;
  }

  /** The input tensor's name. */
  public String input() {
    return input;
  }

  /** FLOAT or DOUBLE: what the input tensor holds. */
  public OnnxJavaType inputType() {
    return inputType;
  }

  public Map<String, NodeInfo> outputs() {
    return outputs;
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new TesseraException(ErrorCode.INTERNAL, "Cannot close the ONNX session: " + e.getMessage(), e);
    }
  }
}
