package dev.tessera.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.tessera.model.config.ModelConfig;
import dev.tessera.model.config.ModelConfigParser;
import dev.tessera.model.onnx.OnnxModel;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * An ONNX model trained with Tribuo and exported (two features, columns in name order), opened for
 * model configs: a matching config opens and ONNX Runtime scores as Tribuo does; a config with
 * another number of inputs, and CUDA where ONNX Runtime has none, are refused naming both sides.
 */
class OnnxModelTest {
  @TempDir static Path dir;
  static Model<Label> tribuo;

  @BeforeAll
  static void trainAndExport() throws Exception {
    LabelFactory labels = new LabelFactory();
    MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("synthetic", labels), labels);
    Random r = new Random(3);
    for (int i = 0; i < 400; i++) {
      double count = r.nextInt(20);
      double amount = r.nextDouble() * 1000;
      boolean fraud = count > 12 || amount > 800;
      data.add(new ArrayExample<>(new Label(fraud ? "fraud" : "ok"), new String[] {"f0_count", "f1_amount"}, new double[] {count, amount / 100}));
    }
    tribuo = new LogisticRegressionTrainer().train(data);
    ((ONNXExportable) tribuo).saveONNXModel("dev.tessera.test", 1, dir.resolve("model.onnx"));
  }

  ModelConfig config(String inputs, String runtime) throws Exception {
    Path file = dir.resolve("scorer.yaml");
    Files.writeString(file, """
        apiVersion: tessera/v1
        kind: ModelService
        name: scorer
        version: 1.0.0
        consumer: fraud-scoring
        artifact: model.onnx
        entity: {keys: [customer_id]}
        inputs:
        %s
        runtime: %s
        """.formatted(inputs, runtime));
    ModelConfigParser.Result r = new ModelConfigParser().parse(file);
    assertThat(r.problems().list()).isEmpty();
    return r.config();
  }

  @Test
  void aMatchingModelOpensAndScoresAsTribuoDoes() throws Exception {
    ModelConfig c = config("  - customer_activity:txn_count_1h\n  - customer_activity:amount_sum_24h", "{provider: cpu}");
    try (OnnxModel model = OnnxModel.open(c)) {
      assertThat(model.input()).isEqualTo("input");
      float[] row = {15f, 2.5f};
      try (OnnxTensor in = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(row), new long[] {1, 2});
          OrtSession.Result out = model.session().run(Map.of(model.input(), in))) {
        float[][] scores = (float[][]) out.get(0).getValue();
        Prediction<Label> p = tribuo.predict(new ArrayExample<>(new Label("?"), new String[] {"f0_count", "f1_amount"}, new double[] {15, 2.5}));
        var ids = tribuo.getOutputIDInfo();
        for (var e : p.getOutputScores().entrySet()) {
          assertThat((double) scores[0][ids.getID(e.getValue())]).as(e.getKey()).isCloseTo(e.getValue().getScore(), org.assertj.core.data.Offset.offset(1e-5));
        }
      }
    }
  }

  @Test
  void aSignatureMismatchNamesBothSides() throws Exception {
    ModelConfig three = config("  - customer_activity:txn_count_1h\n  - customer_activity:amount_sum_24h\n  - customer_activity:amount_max_24h",
        "{provider: cpu}");
    assertThat(catchThrowable(() -> OnnxModel.open(three))).hasMessage("scorer.yaml: model model.onnx takes input ['input' float[-1,2]];"
        + " the config expects one float tensor input of shape [batch, 3] (3 inputs: customer_activity:txn_count_1h,"
        + " customer_activity:amount_sum_24h, customer_activity:amount_max_24h)");
  }

  @Test
  void cudaWhereOnnxRuntimeHasNoneIsRefused() throws Exception {
    ModelConfig cuda = config("  - customer_activity:txn_count_1h\n  - customer_activity:amount_sum_24h", "{provider: cuda, deviceId: 0}");
    assertThat(catchThrowable(() -> OnnxModel.open(cuda))).hasMessageContaining("runtime.provider cuda, but this ONNX Runtime has no CUDA provider")
        .hasMessageContaining("or set provider: cpu");
  }
}
