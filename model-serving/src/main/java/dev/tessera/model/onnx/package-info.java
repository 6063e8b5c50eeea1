/** ONNX models opened for a model config, their signature checked against it: {@link dev.tessera.model.onnx.OnnxModel}. */
package dev.tessera.model.onnx;
