package dev.tessera.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.cli.Main;
import dev.tessera.cli.up.LocalStack;
import dev.tessera.sdk.offline.TesseraOffline;
import dev.tessera.sdk.offline.TrainingSnapshot;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
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
 * The whole loop, in Java, on the stack of `tessera up`: events become offline rows; a training
 * snapshot with a label column; a classifier trained on it with Tribuo and exported to ONNX; the
 * stack restarted with {@code --models}, which serves it with the model service template; the
 * served scores equal Tribuo's own predictions on the same feature vectors; the prediction log reaches
 * its Iceberg table equal to the answer; `tessera model status` reads it; after a kill -9 of the model
 * service, `up` restarts it and it answers again.
 */
class ModelLoopIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String[] NAMES = {"f0_count", "f1_sum", "f2_max"};
  static final List<String> FEATURES = List.of("customer_activity:txn_count_1h", "customer_activity:amount_sum_24h", "customer_activity:amount_max_24h");

  @TempDir Path home;

  @Test
  void aModelTrainedOnASnapshotIsServedWithTribuosScores() throws Exception {
    int port = Stack.freePort();
    Random r = new Random(17);
    long start = System.currentTimeMillis() - Duration.ofMinutes(30).toMillis();
    List<Stack.Payment> payments = new ArrayList<>();
    Map<String, Long> last = new HashMap<>();
    for (int i = 0; i < 600; i++) {
      String c = "c-loop-" + r.nextInt(40);
      long t = start + i * 1000L;
      payments.add(new Stack.Payment("loop-" + i, c, "m-" + r.nextInt(5), 1.0 + r.nextInt(400), "DE", t));
      last.put(c, t);
    }
    Path spine = home.resolve("spine.csv");
    StringBuilder s = new StringBuilder("customer_id,ts,label\n");
    List<String> customers = new ArrayList<>(last.keySet());
    java.util.Collections.sort(customers);
    for (String c : customers) {
      long count = payments.stream().filter(p -> p.customer().equals(c)).count();
      s.append(c).append(',').append(Instant.ofEpochMilli(last.get(c) + 1)).append(',').append(count > 15 ? "fraud" : "ok").append('\n');
    }
    Files.writeString(spine, s);

    Map<String, String> o = Map.of("tessera.ingest.checkpoint-interval", "2s", "tessera.ingest.idle-timeout", "2s");
    Path models = Files.createDirectories(home.resolve("models"));
    LocalStack stack = LocalStack.start(new LocalStack.Options(home, null, o, Stack.CONTRACTS, port, 0, 100, Stack.API_KEY, false),
        line -> System.out.println("[loop] " + line));
    Model<Label> model;
    try {
      Stack.produce(stack.bootstrapServers(), payments);
      // past the allowed lateness (10 min): the watermark moves, the windows become offline rows
      Stack.produce(stack.bootstrapServers(), List.of(new Stack.Payment("tick", "c-tick", "m-tick", 1.0, "DE", start + Duration.ofMinutes(45).toMillis())));
      MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("snapshot", new LabelFactory()), new LabelFactory());
      try (TesseraOffline offline = TesseraOffline.open(stack.config(), null)) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
          data.clear();
          TrainingSnapshot snap = offline.trainingSnapshot(spine.toString(), "ts", FEATURES, home.resolve("train-" + System.nanoTime() + ".parquet").toString());
          try (RootAllocator a = new RootAllocator(); ArrowReader reader = snap.openArrow(a, 1000)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            while (reader.loadNextBatch()) {
              for (int i = 0; i < root.getRowCount(); i++) {
                double[] x = new double[3];
                boolean complete = true;
                for (int k = 0; k < 3; k++) {
                  FieldVector v = root.getVector(FEATURES.get(k).replace(":", "__"));
                  complete &= !v.isNull(i);
                  x[k] = v.isNull(i) ? 0 : ((Number) v.getObject(i)).doubleValue();
                }
                if (complete) {
                  data.add(new ArrayExample<>(new Label(root.getVector("label").getObject(i).toString()), NAMES, x));
                }
              }
            }
          }
          assertThat(data.size()).as("snapshot rows with every feature").isGreaterThanOrEqualTo(customers.size() - 2);
        });
      }
      model = new LogisticRegressionTrainer().train(data);
      ((ONNXExportable) model).saveONNXModel("dev.tessera.loop", 1, models.resolve("fraud-loop.onnx"));
      Files.writeString(models.resolve("fraud-loop.yaml"), """
          apiVersion: tessera/v1
          kind: ModelService
          name: fraud-loop
          version: 1.0.0
          consumer: fraud-scoring
          artifact: fraud-loop.onnx
          entity: {keys: [customer_id]}
          inputs:
            - customer_activity:txn_count_1h
            - customer_activity:amount_sum_24h
            - customer_activity:amount_max_24h
          missing: {default: 0.0}
          """);
    } finally {
      stack.close();
    }

    {
      // `tessera up --models`: the stack resumes and serves the model next to the online API
      try (LocalStack again = LocalStack.start(new LocalStack.Options(home, null, o, Stack.CONTRACTS, port, 0, 100, Stack.API_KEY, false, models),
          line -> System.out.println("[loop] " + line))) {
        assertThat(again.modelUrls()).hasSize(1);
        String url = again.modelUrls().get(0).split(" ")[0];
        HttpClient http = HttpClient.newHttpClient();
        StringBuilder body = new StringBuilder("{\"return_features\": true, \"entities\": [");
        for (int i = 0; i < customers.size(); i++) {
          body.append(i == 0 ? "" : ",").append("{\"customer_id\":\"").append(customers.get(i)).append("\"}");
        }
        body.append("]}");
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models/fraud-loop/predict"))
            .header("X-API-Key", Stack.API_KEY).header("Content-Type", "application/json").header("X-Request-Id", "loop-1")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode predictions = JSON.readTree(answer.body()).path("predictions");
        assertThat(predictions).hasSize(customers.size());
        int nonZero = 0;
        for (JsonNode p : predictions) {
          double[] seen = new double[3];
          int k = 0;
          for (JsonNode v : p.path("features")) {
            seen[k++] = v.asDouble();
          }
          nonZero += seen[0] > 0 ? 1 : 0;
          Prediction<Label> tribuo = model.predict(new ArrayExample<>(new Label("?"), NAMES, seen));
          JsonNode out = p.path("outputs").path("output");
          tribuo.getOutputScores().forEach((name, label) -> assertThat(out.get(model.getOutputIDInfo().getID(label)).asDouble())
              .as(p.path("entity") + " " + name).isCloseTo(label.getScore(), within(1e-5)));
        }
        assertThat(nonZero).as("entities with online values").isGreaterThan(customers.size() / 2);
        // the prediction log reaches its Iceberg table through the job (Kafka -> Iceberg on checkpoints), equal to the answer
        org.apache.iceberg.catalog.Catalog catalog = dev.tessera.offline.catalog.Catalogs.open(again.config());
        org.apache.iceberg.Table log = catalog.loadTable(new dev.tessera.offline.table.PredictionTables(catalog,
            again.config().get(dev.tessera.config.OfflineOptions.NAMESPACE)).identifier("fraud-loop"));
        Map<Integer, org.apache.iceberg.data.Record> rows = new HashMap<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
          log.refresh();
          rows.clear();
          try (var it = org.apache.iceberg.data.IcebergGenerics.read(log).build()) {
            for (org.apache.iceberg.data.Record rec : it) {
              if (rec.getField("request_id").equals("loop-1")) {
                rows.put((Integer) rec.getField("idx"), rec);
              }
            }
          }
          assertThat(rows).hasSize(customers.size());
        });
        for (int i = 0; i < customers.size(); i++) {
          org.apache.iceberg.data.Record rec = rows.get(i);
          JsonNode p = predictions.get(i);
          assertThat(rec.getField("version")).isEqualTo("1.0.0");
          assertThat(rec.getField("answered")).isEqualTo(true);
          assertThat(((Map<?, ?>) rec.getField("entity")).get("customer_id")).isEqualTo(customers.get(i));
          List<?> output = (List<?>) ((Map<?, ?>) rec.getField("outputs")).get("output");
          for (int k = 0; k < output.size(); k++) {
            assertThat((Double) output.get(k)).isEqualTo(p.path("outputs").path("output").get(k).asDouble());
          }
          assertThat(((Map<?, ?>) rec.getField("features")).get("customer_activity__txn_count_1h"))
              .isEqualTo(p.path("features").path("customer_activity__txn_count_1h").asDouble());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"--home", home.toString(), "model", "status", "--config", models.resolve("fraud-loop.yaml").toString(),
            "--url", url, "--api-key", Stack.API_KEY}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(exit).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("fraud-loop: 1.0.0 configured (cpu)").contains("primary    1.0.0 (fraud-loop.onnx): ");
        // no candidate: promote says so (exit 1), naming why
        StringWriter err2 = new StringWriter();
        int refused = Main.run(new String[] {"--home", home.toString(), "model", "promote", "--config", models.resolve("fraud-loop.yaml").toString(),
            "--url", url, "--api-key", Stack.API_KEY}, new PrintWriter(new StringWriter(), true), new PrintWriter(err2, true));
        assertThat(refused).isEqualTo(1);
        assertThat(err2.toString()).contains("No candidate to promote");

        // kill -9 of the model service: `up` restarts it, and it answers the same scores
        ProcessHandle service = ProcessHandle.current().descendants()
            .filter(h -> h.info().commandLine().orElse("").contains("model-serving/target/quarkus-app/quarkus-run.jar")).findFirst().orElseThrow();
        service.destroyForcibly();
        service.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        HttpResponse<String> again2 = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
            .until(() -> http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models/fraud-loop/predict"))
                .header("X-API-Key", Stack.API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString()),
                rr -> rr.statusCode() == 200);
        JsonNode afterKill = JSON.readTree(again2.body()).path("predictions");
        for (int i = 0; i < customers.size(); i++) {
          // features may have moved on (the stream runs); the model scores what it reads, as Tribuo does
          double[] seen = new double[3];
          int k = 0;
          for (JsonNode v : afterKill.get(i).path("features")) {
            seen[k++] = v.asDouble();
          }
          Prediction<Label> tribuo = model.predict(new ArrayExample<>(new Label("?"), NAMES, seen));
          JsonNode out2 = afterKill.get(i).path("outputs").path("output");
          tribuo.getOutputScores().forEach((name, label) -> assertThat(out2.get(model.getOutputIDInfo().getID(label)).asDouble())
              .isCloseTo(label.getScore(), within(1e-5)));
        }
      }
    }
  }
}
