package dev.tessera.model.predict;

import dev.tessera.contracts.model.SemVer;
import dev.tessera.model.onnx.OnnxModel;

/** One loaded version of the model: its ONNX session and its gate statistics. Open until the service stops, so a swap never closes a session in use. */
public record ModelVersion(SemVer version, String artifact, OnnxModel model, VersionStats stats) {
  public ModelVersion(SemVer version, String artifact, OnnxModel model) {
    this(version, artifact, model, new VersionStats());
  }
}
