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
    String what = config.file().getFileName() + ": model " + config.artifact().getFileName();
    if (!Files.isRegularFile(config.artifact())) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, config.file() + ": artifact " + config.artifact() + " does not exist");
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
      session = env.createSession(config.artifact().toString(), options);
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
