package dev.tessera.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.model.launch.ModelServiceProcess;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.testkit.HttpLoad;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * The model service template under load: the packaged online service (RocksDB, seeded changelogs
 * on a real broker) and the packaged model service (a Tribuo logistic regression over 4 features
 * of customer_activity, exported to ONNX), one entity per predict request, N callers in closed
 * loop. Two services are measured: micro-batched (maxBatchSize 256, maxWait 2 ms) and one call per
 * request (maxBatchSize 1), each split into feature fetch and inference per batch from the
 * service's own metrics. {@code --mode embedded}: the model service reads features from its own RocksDB
 * (materialized from the changelogs) instead of the online service. The ceiling, in the same run: ONNX Runtime on pre-built batches with no
 * features (256 rows and 1 row), one thread.
 */
public final class InferenceBenchmark {
  static final String[] NAMES = {"f0", "f1", "f2", "f3"};

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = SnapshotBenchmark.parse(args);
    int customers = Integer.parseInt(opts.getOrDefault("customers", "100000"));
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "15"));
    String provider = opts.getOrDefault("provider", "cpu");
    String mode = opts.getOrDefault("mode", "remote");
    if (!mode.equals("remote") && !mode.equals("embedded")) {
      System.err.println("bench: --mode " + mode + ": expected remote (the online service over HTTP) or embedded (a local RocksDB in the model service)");
      System.exit(2);
    }
    Path work = Path.of(opts.getOrDefault("work", "/tmp/tessera-bench-inference"));
    int onlinePort = Integer.parseInt(opts.getOrDefault("port", "18091"));
    ContractRegistry registry = ContractRegistry.fromDirectory(Path.of("contracts/examples"));
    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      Process online = ServingBenchmark.seededService(kafka, registry, work, customers, 100, onlinePort);
      try {
        Path model = work.resolve("model.onnx");
        train(model);
        System.out.printf("inference benchmark: %d cores, provider %s, features %s, %,d customers, 4 features, %.0f s per step, closed loop,"
            + " one entity per request%n", Runtime.getRuntime().availableProcessors(), provider, mode, customers, seconds);
        ceiling(model, provider, seconds);
        System.out.println("| service | callers | requests/s | p50 ms | p99 ms | mean batch | fetch ms/batch | inference ms/batch | errors |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (String[] variant : new String[][] {{"micro-batched (256, 2ms)", "256", "2ms"}, {"one call per request", "1", "0ms"}}) {
          Path config = work.resolve("bench-" + variant[1] + ".yaml");
          Files.writeString(config, """
              apiVersion: tessera/v1
              kind: ModelService
              name: bench-scorer
              version: 1.0.0
              consumer: fraud-scoring
              artifact: model.onnx
              entity: {keys: [customer_id]}
              inputs:
                - customer_activity:txn_count_1h
                - customer_activity:amount_sum_24h
                - customer_activity:amount_avg_7d
                - customer_activity:amount_max_24h
              missing: {default: 0.0}
              batching: {maxBatchSize: %s, maxWait: %s}
              runtime: {provider: %s}
              features: {mode: %s}
              """.formatted(variant[1], variant[2], provider, mode));
          int port = onlinePort + 1;
          Path log = work.resolve("model-" + variant[1] + ".log");
          Process service = ModelServiceProcess.start(ModelServiceProcess.command(work.resolve("home"), null, config, port, Map.of(
              "tessera.contracts.dir", Path.of("contracts/examples").toAbsolutePath().toString(),
              "tessera.kafka.bootstrap-servers", kafka.bootstrapServers(),
              "tessera.model.online-url", "http://127.0.0.1:" + onlinePort,
              "tessera.model.online-api-key", ServingBenchmark.KEY,
              "tessera.model.api-keys", "bench:" + ServingBenchmark.KEY,
              "quarkus.log.level", "WARN"), List.of("-Xmx1g")), Map.of(), log);
          try {
            ModelServiceProcess.awaitListening(service, "http://127.0.0.1:" + port, Duration.ofSeconds(120), log);
            awaitReady(port); // embedded: the local store has caught up with the changelogs
            HttpLoad load = new HttpLoad("127.0.0.1", port);
            HttpLoad.Requests request = i -> HttpLoad.post("127.0.0.1", "/v1/models/bench-scorer/predict", ServingBenchmark.KEY,
                "application/json", "application/json", ("{\"entities\":[{\"customer_id\":\"c-" + Math.floorMod(i * 7919L, customers)
                    + "\"}]}").getBytes(StandardCharsets.UTF_8));
            load.closedLoop(request, 5, 16); // warm-up
            for (String c : opts.getOrDefault("concurrency", "16,64").split(",")) {
              int callers = Integer.parseInt(c);
              Map<String, Double> before = metrics(port);
              HttpLoad.Result r = load.closedLoop(request, seconds, callers);
              Map<String, Double> after = metrics(port);
              double batches = after.get("batch_count") - before.get("batch_count");
              System.out.printf("| %s | %d | %,.0f | %.2f | %.2f | %.1f | %.3f | %.3f | %d |%n", variant[0], callers, r.throughput(),
                  r.percentileMillis(0.50), r.percentileMillis(0.99), (after.get("batch_sum") - before.get("batch_sum")) / batches,
                  1000 * (after.get("fetch_sum") - before.get("fetch_sum")) / batches,
                  1000 * (after.get("inference_sum") - before.get("inference_sum")) / batches, r.errors());
            }
          } finally {
            service.destroy();
            service.waitFor();
          }
        }
      } finally {
        online.destroy();
        online.waitFor();
      }
    }
  }

  static void awaitReady(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the model service was not ready within 5 minutes");
      }
      Thread.sleep(200);
    }
  }

  /** ONNX Runtime alone on pre-built batches (256 rows, 1 row): the most the model can do on this machine, one thread. */
  static void ceiling(Path model, String provider, double seconds) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      if (provider.equals("cuda")) {
        o.addCUDA(0);
      }
      try (OrtSession session = env.createSession(model.toString(), o)) {
        for (int rows : new int[] {256, 1}) {
          Random r = new Random(1);
          FloatBuffer data = java.nio.ByteBuffer.allocateDirect(rows * 4 * 4).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
          for (int i = 0; i < rows * 4; i++) {
            data.put(i, r.nextFloat() * 10);
          }
          long runs = 0;
          long start = System.nanoTime();
          long end = start + (long) (Math.min(seconds, 5) * 1e9);
          try (OnnxTensor in = OnnxTensor.createTensor(env, data, new long[] {rows, 4})) {
            while (System.nanoTime() < end) {
              try (OrtSession.Result out = session.run(Map.of("input", in))) {
                runs++;
              }
            }
          }
          double secs = (System.nanoTime() - start) / 1e9;
          System.out.printf("ceiling: ONNX Runtime (%s), batches of %d rows, no features: %,.0f runs/s = %,.0f entities/s, %.3f ms per run%n",
              provider, rows, runs / secs, runs * rows / secs, 1000 * secs / runs);
        }
      }
    }
  }

  static final Pattern LINE = Pattern.compile("^(tessera_model_[a-z_]+)\\{[^}]*\\} ([0-9.eE+-]+)$");

  /** Sums of the service's batch, fetch and inference meters. */
  static Map<String, Double> metrics(int port) throws Exception {
    String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Map<String, Double> out = new java.util.HashMap<>(Map.of("batch_count", 0.0, "batch_sum", 0.0, "fetch_sum", 0.0, "inference_sum", 0.0));
    for (String line : text.split("\n")) {
      Matcher m = LINE.matcher(line.trim());
      if (!m.matches()) {
        continue;
      }
      double v = Double.parseDouble(m.group(2));
      switch (m.group(1)) {
        case "tessera_model_batch_size_count" -> out.merge("batch_count", v, Double::sum);
        case "tessera_model_batch_size_sum" -> out.merge("batch_sum", v, Double::sum);
        case "tessera_model_feature_fetch_seconds_sum" -> out.merge("fetch_sum", v, Double::sum);
        case "tessera_model_inference_seconds_sum" -> out.merge("inference_sum", v, Double::sum);
        default -> { }
      }
    }
    return out;
  }

  static void train(Path out) throws Exception {
    java.util.logging.Logger.getLogger("org.tribuo").setLevel(java.util.logging.Level.WARNING);
    LabelFactory labels = new LabelFactory();
    MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("synthetic", labels), labels);
    Random r = new Random(5);
    for (int i = 0; i < 2000; i++) {
      double[] x = {r.nextInt(50), r.nextDouble() * 5000, r.nextDouble() * 500, r.nextDouble() * 2000};
      data.add(new ArrayExample<>(new Label(x[0] > 30 || x[3] > 1500 ? "fraud" : "ok"), NAMES, x));
    }
    ((ONNXExportable) new LogisticRegressionTrainer().train(data)).saveONNXModel("dev.tessera.bench", 1, out);
  }
}
