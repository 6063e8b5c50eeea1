package dev.tessera.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.model.launch.ModelServiceProcess;
import dev.tessera.online.launch.ServiceProcess;
import dev.tessera.testkit.ChangelogSeeder;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.testkit.HttpLoad;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
 * The model service template on the real stack: a broker whose changelogs are seeded (customers
 * c-0..c-199 have activity, c-0..c-249 a profile), the packaged online service, and the packaged
 * model service (child JVMs) serving logistic regressions trained with Tribuo and exported to ONNX.
 * Scores equal Tribuo's own on the features the service answers; missing values get the config's
 * defaults, or 422 where the input says reject; Arrow answers as JSON does; each start-up refusal
 * is one clear message; canary routing follows its weight and shadow answers nothing; promote is
 * refused by a gate, then accepted, survives a restart, and promote/rollback under load fail no
 * request; the prediction log in Kafka equals what was answered; embedded features (a local RocksDB
 * materialized from the changelogs) answer as the online service does.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelServiceIT {
  static final String KEY = "model-it-key";
  static final String ADMIN = "model-it-admin";
  static final String ONLINE_KEY = "model-it-online";
  static final ObjectMapper JSON = new ObjectMapper();
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(Path.of("../contracts/examples"));
  static final String[] NAMES = {"f0_txn", "f1_amount", "f2_limit", "f3_verified"};

  static EmbeddedKafka kafka;
  static Process online;
  static int onlinePort;
  static Path dir;
  static Model<Label> v1;
  static Model<Label> v2;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final List<Process> models = new ArrayList<>();

  @BeforeAll
  static void stack() throws Exception {
    if (System.getProperty("tessera.root") == null) {
      System.setProperty("tessera.root", Path.of("..").toAbsolutePath().normalize().toString());
    }
    dir = Files.createTempDirectory("tessera-model-it");
    kafka = new EmbeddedKafka();
    ChangelogSeeder seeder = new ChangelogSeeder(kafka).createTopics(REGISTRY.all(), 2);
    long now = System.currentTimeMillis();
    List<ChangelogSeeder.Row> rows = new ArrayList<>();
    FeatureSetContract activity = REGISTRY.get("customer_activity");
    FeatureSetContract profile = REGISTRY.get("customer_profile");
    for (int i = 0; i < 250; i++) {
      if (i < 200) {
        rows.add(new ChangelogSeeder.Row(activity, Map.of("customer_id", "c-" + i), values(activity, i), now - 1000, 1));
      }
      rows.add(new ChangelogSeeder.Row(profile, Map.of("customer_id", "c-" + i), values(profile, i), now - 1000, 1));
    }
    seeder.send(rows);
    onlinePort = freePort();
    Path log = dir.resolve("online.log");
    online = ServiceProcess.start(ServiceProcess.command(dir, null, onlinePort, Map.of(
        "tessera.contracts.dir", Path.of("../contracts/examples").toAbsolutePath().toString(),
        "tessera.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "tessera.online.api-keys", "fraud-scoring:" + ONLINE_KEY,
        "tessera.online.lag-interval", "200ms", "quarkus.log.level", "WARN"), List.of("-Xmx384m")), false, log);
    ServiceProcess.awaitReady(online, "http://127.0.0.1:" + onlinePort, Duration.ofSeconds(120), log);
    v1 = train(7, 0.0, dir.resolve("v1.onnx"));
    v2 = train(11, 40.0, dir.resolve("v2.onnx"));
    train(13, 0.0, dir.resolve("three.onnx"), 3);
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : models) {
      p.destroy();
      p.waitFor();
    }
    if (online != null) {
      online.destroy();
      online.waitFor();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  /** Seeded values: txn_count_1h = i, amounts and credit_limit = 1.5 i, is_verified = i even. */
  static Map<String, Object> values(FeatureSetContract c, int i) {
    Map<String, Object> v = new HashMap<>();
    for (Feature f : c.features()) {
      v.put(f.name(), switch (f.type()) {
        case LONG -> (long) i;
        case INT -> 18 + i % 60;
        case DOUBLE -> i * 1.5;
        case FLOAT -> i * 1.5f;
        case BOOLEAN -> i % 2 == 0;
        case STRING -> f.name().equals("segment") ? "mass" : "C" + i;
        case TIMESTAMP -> 1_700_000_000_000L + i;
      });
    }
    return v;
  }

  static Model<Label> train(long seed, double shift, Path out) throws Exception {
    return train(seed, shift, out, 4);
  }

  /** A logistic regression over {@code width} features named in input order (Tribuo numbers features by name). */
  static Model<Label> train(long seed, double shift, Path out, int width) throws Exception {
    LabelFactory labels = new LabelFactory();
    MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("synthetic", labels), labels);
    Random r = new Random(seed);
    for (int i = 0; i < 600; i++) {
      double txn = r.nextInt(200);
      double amount = r.nextDouble() * 300;
      double limit = r.nextDouble() * 375;
      double verified = r.nextBoolean() ? 1 : 0;
      boolean fraud = txn + amount / 3 > 150 + shift || (verified == 0 && limit < 50);
      double[] x = {txn / 10, amount / 30, limit / 40, verified};
      data.add(new ArrayExample<>(new Label(fraud ? "fraud" : "ok"), java.util.Arrays.copyOf(NAMES, width), java.util.Arrays.copyOf(x, width)));
    }
    Model<Label> m = new LogisticRegressionTrainer().train(data);
    ((ONNXExportable) m).saveONNXModel("dev.tessera.it", 1, out);
    return m;
  }

  /** Tribuo's scores for the feature vector the service saw, by output index. */
  static double[] tribuo(Model<Label> m, double[] features) {
    Prediction<Label> p = m.predict(new ArrayExample<>(new Label("?"), NAMES, features));
    double[] out = new double[m.getOutputIDInfo().size()];
    p.getOutputScores().forEach((name, label) -> out[m.getOutputIDInfo().getID(label)] = label.getScore());
    return out;
  }

  static Path config(String name, String extra) throws Exception {
    return config(name, "fraud-scoring", """
          - customer_activity:txn_count_1h
          - customer_activity:amount_sum_24h
          - {feature: customer_profile:credit_limit, missing: reject}
          - customer_profile:is_verified
        """, "v1.onnx", "{provider: cpu}", extra);
  }

  static Path config(String name, String consumer, String inputs, String artifact, String runtime, String extra) throws Exception {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, """
        apiVersion: tessera/v1
        kind: ModelService
        name: fraud-scorer
        version: 1.0.0
        consumer: %s
        artifact: %s
        entity: {keys: [customer_id]}
        inputs:
        %s
        missing: {default: -1.0}
        batching: {maxBatchSize: 64, maxWait: 2ms}
        runtime: %s
        %s
        """.formatted(consumer, artifact, inputs.stripTrailing(), runtime, extra));
    return file;
  }

  record Started(Process process, String base, Path log, Path home) {}

  static Started serve(Path config, Path home) throws Exception {
    int port = freePort();
    Path log = dir.resolve(config.getFileName() + "-" + port + ".log");
    Process p = ModelServiceProcess.start(ModelServiceProcess.command(home, null, config, port, Map.of(
        "tessera.contracts.dir", Path.of("../contracts/examples").toAbsolutePath().toString(),
        "tessera.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "tessera.model.online-url", "http://127.0.0.1:" + onlinePort,
        "tessera.model.online-api-key", ONLINE_KEY,
        "tessera.model.api-keys", "fraud-ops:" + KEY + ",*:" + ADMIN,
        "quarkus.log.level", "WARN"), List.of("-Xmx384m")), Map.of(), log);
    models.add(p);
    String base = "http://127.0.0.1:" + port;
    ModelServiceProcess.awaitListening(p, base, Duration.ofSeconds(120), log);
    await().atMost(Duration.ofSeconds(60)).until(() -> get(base + "/q/health/ready", KEY).statusCode() == 200);
    return new Started(p, base, log, home);
  }

  static HttpResponse<String> get(String url, String key) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", key).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String url, String key, String body, String requestId) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (requestId != null) {
      b.header("X-Request-Id", requestId);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String entities(List<String> ids, boolean features) {
    StringBuilder s = new StringBuilder("{\"entities\":[");
    for (int i = 0; i < ids.size(); i++) {
      s.append(i == 0 ? "" : ",").append("{\"customer_id\":\"").append(ids.get(i)).append("\"}");
    }
    return s.append("],\"return_features\":").append(features).append('}').toString();
  }

  static Started primary;
  static Started canary;

  @Test
  @Order(1)
  void scoresEqualTribuoOnTheFeaturesTheModelSawAndMissingValuesGetTheDefaults() throws Exception {
    primary = serve(config("primary", ""), Files.createTempDirectory(dir, "home"));
    List<String> ids = List.of("c-5", "c-120", "c-199", "c-210", "c-248", "c-0");
    HttpResponse<String> r = post(primary.base() + "/v1/models/fraud-scorer/predict", KEY, entities(ids, true), "req-1");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode root = JSON.readTree(r.body());
    assertThat(root.path("model").asText()).isEqualTo("fraud-scorer");
    assertThat(root.path("version").asText()).isEqualTo("1.0.0");
    JsonNode predictions = root.path("predictions");
    assertThat(predictions).hasSize(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      JsonNode p = predictions.get(i);
      int n = Integer.parseInt(ids.get(i).substring(2));
      assertThat(p.path("entity").path("customer_id").asText()).isEqualTo(ids.get(i));
      JsonNode f = p.path("features");
      assertThat(f.fieldNames()).toIterable().containsExactly("customer_activity__txn_count_1h", "customer_activity__amount_sum_24h",
          "customer_profile__credit_limit", "customer_profile__is_verified");
      double[] expected = n < 200 ? new double[] {n, n * 1.5, n * 1.5, n % 2 == 0 ? 1 : 0}
          : new double[] {-1, -1, n * 1.5, n % 2 == 0 ? 1 : 0}; // no activity: the config's default
      double[] seen = doubles(f);
      assertThat(seen).as(ids.get(i)).containsExactly(expected, within(1e-4));
      double[] tribuo = tribuo(v1, seen);
      JsonNode out = p.path("outputs").path("output");
      assertThat(out).as(ids.get(i)).hasSize(tribuo.length);
      for (int k = 0; k < tribuo.length; k++) {
        assertThat(out.get(k).asDouble()).as(ids.get(i) + " output " + k).isCloseTo(tribuo[k], within(1e-5));
      }
    }
    // an entity without a profile: credit_limit says reject, so that entity is 422 (alone: the request is 422)
    HttpResponse<String> mixed = post(primary.base() + "/v1/models/fraud-scorer/predict", KEY, entities(List.of("c-1", "c-260"), false), null);
    assertThat(mixed.statusCode()).isEqualTo(200);
    JsonNode second = JSON.readTree(mixed.body()).path("predictions").get(1);
    assertThat(second.path("error").path("status").asInt()).isEqualTo(422);
    assertThat(second.path("error").path("message").asText()).contains("customer_profile:credit_limit");
    assertThat(second.has("outputs")).isFalse();
    JsonNode status = JSON.readTree(get(primary.base() + "/v1/models/fraud-scorer", KEY).body());
    assertThat(status.path("features").path("reads")).extracting(JsonNode::asText).containsExactly("customer_activity@1", "customer_profile@1");
    HttpResponse<String> alone = post(primary.base() + "/v1/models/fraud-scorer/predict", KEY, entities(List.of("c-260"), false), null);
    assertThat(alone.statusCode()).isEqualTo(422);
    assertThat(JSON.readTree(alone.body()).path("error").path("code").asText()).isEqualTo("MISSING_FEATURES");
    // the error model: no key, an unknown model, a malformed body, an entity without its key
    assertThat(post(primary.base() + "/v1/models/fraud-scorer/predict", "wrong", entities(List.of("c-1"), false), null).statusCode()).isEqualTo(401);
    assertThat(post(primary.base() + "/v1/models/other/predict", KEY, entities(List.of("c-1"), false), null).statusCode()).isEqualTo(404);
    HttpResponse<String> bad = post(primary.base() + "/v1/models/fraud-scorer/predict", KEY, "{\"entities\":[{\"merchant_id\":\"m-1\"}]}", null);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("entities[0] has no customer_id").doesNotContain("at dev.tessera");
  }

  @Test
  @Order(2)
  void arrowInAndOutAnswersAsJsonDoes() throws Exception {
    List<String> ids = List.of("c-3", "c-150", "c-230");
    JsonNode json = JSON.readTree(post(primary.base() + "/v1/models/fraud-scorer/predict", KEY, entities(ids, true), null).body());
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try (RootAllocator a = new RootAllocator(); VarCharVector keys = new VarCharVector("customer_id", a)) {
      keys.allocateNew();
      for (int i = 0; i < ids.size(); i++) {
        keys.setSafe(i, ids.get(i).getBytes(StandardCharsets.UTF_8));
      }
      keys.setValueCount(ids.size());
      try (VectorSchemaRoot root = VectorSchemaRoot.of(keys); ArrowStreamWriter w = new ArrowStreamWriter(root, null, Channels.newChannel(body))) {
        w.start();
        w.writeBatch();
        w.end();
      }
    }
    HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(primary.base() + "/v1/models/fraud-scorer/predict?return_features=true"))
        .header("X-API-Key", KEY).header("Content-Type", "application/vnd.apache.arrow.stream").header("Accept", "application/vnd.apache.arrow.stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/vnd.apache.arrow.stream");
    try (RootAllocator a = new RootAllocator(); ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(r.body()), a)) {
      assertThat(reader.loadNextBatch()).isTrue();
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      assertThat(root.getRowCount()).isEqualTo(ids.size());
      assertThat(root.getSchema().getCustomMetadata()).containsEntry("tessera.model.version", "1.0.0");
      for (int i = 0; i < ids.size(); i++) {
        JsonNode p = json.path("predictions").get(i);
        assertThat(root.getVector("customer_id").getObject(i).toString()).isEqualTo(ids.get(i));
        assertThat(root.getVector("error").isNull(i)).isTrue();
        for (int k = 0; k < 2; k++) {
          assertThat(((Float8Vector) root.getVector("output__" + k)).get(i)).isEqualTo(p.path("outputs").path("output").get(k).asDouble());
        }
        assertThat(((Float8Vector) root.getVector("customer_activity__txn_count_1h")).get(i))
            .isEqualTo(p.path("features").path("customer_activity__txn_count_1h").asDouble());
      }
    }
  }

  @Test
  @Order(3)
  void eachStartUpRefusalIsOneClearMessage() throws Exception {
    String inputs = """
          - customer_activity:txn_count_1h
          - customer_activity:amount_sum_24h
          - customer_profile:credit_limit
          - customer_profile:is_verified
        """;
    assertRefused(config("unknown", "fraud-scoring", inputs.replace("amount_sum_24h", "amount_sum_25h"), "v1.onnx", "{provider: cpu}", ""),
        "unknown.yaml:", "Unknown feature 'customer_activity:amount_sum_25h'", "did you mean 'amount_sum_24h'");
    assertRefused(config("consumer", "churn-model", inputs, "v1.onnx", "{provider: cpu}", ""),
        "consumer.yaml:", "Consumer 'churn-model' is not listed by customer_activity@1");
    assertRefused(config("signature", "fraud-scoring", inputs, "three.onnx", "{provider: cpu}", ""),
        "signature.yaml: model three.onnx takes input ['input' float[-1,3]]; the config expects one float tensor input of shape [batch, 4]");
    assertRefused(config("cuda", "fraud-scoring", inputs, "v1.onnx", "{provider: cuda, deviceId: 0}", ""),
        "runtime.provider cuda, but this ONNX Runtime has no CUDA provider");
  }

  static void assertRefused(Path config, String... expected) throws Exception {
    Path log = dir.resolve(config.getFileName() + ".refused.log");
    Process p = ModelServiceProcess.start(ModelServiceProcess.command(dir, null, config, freePort(), Map.of(
        "tessera.contracts.dir", Path.of("../contracts/examples").toAbsolutePath().toString(),
        "tessera.model.api-keys", "fraud-ops:" + KEY), List.of("-Xmx256m")), Map.of(), log);
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isEqualTo(ModelServiceProcess.REFUSED);
    assertThat(out).contains("tessera model serve:").contains(expected).doesNotContain("\tat ");
  }

  @Test
  @Order(4)
  void canaryAnswersItsWeightAndShadowAnswersNothing() throws Exception {
    canary = serve(config("canary", """
        candidate: {artifact: v2.onnx, version: 1.1.0, mode: canary, weight: 30%}
        promotion: {minRequests: 600, maxP99: 5s, maxDisagreement: 1.0}
        """), Files.createTempDirectory(dir, "home"));
    int n = 500;
    int fromCandidate = 0;
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = post(canary.base() + "/v1/models/fraud-scorer/predict", KEY, entities(List.of("c-" + (i % 200)), true), "canary-" + i);
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode root = JSON.readTree(r.body());
      JsonNode p = root.path("predictions").get(0);
      double[] seen = doubles(p.path("features"));
      boolean isCandidate = root.path("version").asText().equals("1.1.0");
      fromCandidate += isCandidate ? 1 : 0;
      double[] tribuo = tribuo(isCandidate ? v2 : v1, seen);
      assertThat(p.path("outputs").path("output").get(0).asDouble()).isCloseTo(tribuo[0], within(1e-5));
    }
    // 30% of 500 = 150, sd 10.2: within 5 sd
    assertThat(fromCandidate).isBetween(100, 200);
    Path shadowHome = Files.createTempDirectory(dir, "home");
    Started shadow = serve(config("shadow", "candidate: {artifact: v2.onnx, version: 2.0.0, mode: shadow}\n"), shadowHome);
    for (int i = 0; i < 50; i++) {
      HttpResponse<String> r = post(shadow.base() + "/v1/models/fraud-scorer/predict", KEY, entities(List.of("c-" + i), false), "shadow-" + i);
      assertThat(JSON.readTree(r.body()).path("version").asText()).isEqualTo("1.0.0");
    }
    JsonNode status = JSON.readTree(get(shadow.base() + "/v1/models/fraud-scorer", KEY).body());
    assertThat(status.path("candidate").path("mode").asText()).isEqualTo("shadow");
    assertThat(status.path("candidate").path("stats").path("requests").asLong()).isEqualTo(50);
    assertThat(status.path("candidate").path("stats").path("compared").asLong()).isEqualTo(100); // 50 entities x 2 outputs
    // the log holds the shadow's scores of every request, never answered
    await().atMost(Duration.ofSeconds(30)).until(() -> shadowRecords().size() >= 50);
    assertThat(shadowRecords()).allSatisfy(rec -> {
      assertThat(rec.path("version").asText()).isEqualTo("2.0.0");
      assertThat(rec.path("answered").asBoolean()).isFalse();
    });
    shadow.process().destroy();
    shadow.process().waitFor();
  }

  static List<JsonNode> shadowRecords() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("tessera.predictions.fraud-scorer")) {
      JsonNode n = JSON.readTree(r.value());
      if (n.path("request_id").asText().startsWith("shadow-") && n.path("route").asText().equals("shadow")) {
        out.add(n);
      }
    }
    return out;
  }

  @Test
  @Order(5)
  void promoteIsRefusedByAFailingGateThenAcceptedAndSurvivesARestart() throws Exception {
    String url = canary.base() + "/v1/models/fraud-scorer/promote";
    HttpResponse<String> forbidden = post(url, KEY, "", null);
    assertThat(forbidden.statusCode()).isEqualTo(403);
    HttpResponse<String> refused = post(url, ADMIN, "", null);
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.body()).contains("requests: 500 scored, the gate needs 600").doesNotContain("p99 latency");
    for (int i = 0; i < 100; i++) {
      post(canary.base() + "/v1/models/fraud-scorer/predict", KEY, entities(List.of("c-" + i), false), "more-" + i);
    }
    HttpResponse<String> accepted = post(url, ADMIN, "", null);
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
    assertThat(JSON.readTree(accepted.body()).path("primary").path("version").asText()).isEqualTo("1.1.0");
    assertThat(JSON.readTree(post(canary.base() + "/v1/models/fraud-scorer/predict", KEY, entities(List.of("c-9"), false), null).body())
        .path("version").asText()).isEqualTo("1.1.0");
    // a restart serves the promoted version
    canary.process().destroy();
    canary.process().waitFor();
    canary = serve(dir.resolve("canary.yaml"), canary.home());
    JsonNode status = JSON.readTree(get(canary.base() + "/v1/models/fraud-scorer", KEY).body());
    assertThat(status.path("state").asText()).isEqualTo("promoted");
    assertThat(status.path("primary").path("version").asText()).isEqualTo("1.1.0");
  }

  @Test
  @Order(6)
  void rollbackAndPromoteUnderLoadFailNoRequest() throws Exception {
    URI base = URI.create(canary.base());
    String body = entities(List.of("c-1", "c-2", "c-3"), false);
    byte[] request = HttpLoad.post(base.getHost(), "/v1/models/fraud-scorer/predict", KEY, "application/json", "application/json",
        body.getBytes(StandardCharsets.UTF_8));
    HttpLoad load = new HttpLoad(base.getHost(), base.getPort());
    // 1.1.0 (promoted, restarted) scores enough requests for its gates to pass again after each rollback
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      load.closedLoop(i -> request, 0.5, 4);
      return JSON.readTree(get(canary.base() + "/v1/models/fraud-scorer", KEY).body()).path("primary").path("stats").path("requests").asLong() >= 600;
    });
    AtomicBoolean done = new AtomicBoolean();
    List<Integer> swaps = new ArrayList<>();
    Thread swapper = new Thread(() -> {
      try {
        Thread.sleep(300);
        for (int i = 0; !done.get() && i < 12; i++) {
          swaps.add(post(canary.base() + "/v1/models/fraud-scorer/" + (i % 2 == 0 ? "rollback" : "promote"), ADMIN, "", null).statusCode());
          Thread.sleep(200);
        }
      } catch (Exception e) {
        swaps.add(-1);
      }
    });
    swapper.start();
    HttpLoad.Result r = load.closedLoop(i -> request, 4.0, 4);
    done.set(true);
    swapper.join();
    assertThat(r.requests()).isGreaterThan(50);
    assertThat(r.statuses()).as("every answer during the swaps").containsOnlyKeys(200);
    assertThat(swaps).isNotEmpty().containsOnly(200);
  }

  @Test
  @Order(7)
  void thePredictionLogInKafkaEqualsWhatWasAnswered() throws Exception {
    Map<String, JsonNode> answered = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      String id = "logged-" + i;
      JsonNode root = JSON.readTree(post(canary.base() + "/v1/models/fraud-scorer/predict", KEY, entities(List.of("c-" + i, "c-" + (i + 20)), true), id).body());
      answered.put(id, root);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> logged().size() >= 40);
    Map<String, JsonNode> logged = logged();
    assertThat(logged).hasSize(40);
    answered.forEach((id, root) -> {
      for (int i = 0; i < 2; i++) {
        JsonNode rec = logged.get(id + "/" + i);
        JsonNode p = root.path("predictions").get(i);
        assertThat(rec.path("version").asText()).isEqualTo(root.path("version").asText());
        assertThat(rec.path("entity")).isEqualTo(p.path("entity"));
        assertThat(rec.path("outputs")).isEqualTo(p.path("outputs"));
        assertThat(rec.path("features")).isEqualTo(p.path("features"));
        assertThat(rec.path("event_times").path("customer_activity").asLong()).isPositive();
      }
    });
  }

  /** Answered records of requests logged-*, by request id / index. */
  static Map<String, JsonNode> logged() throws Exception {
    Map<String, JsonNode> out = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("tessera.predictions.fraud-scorer")) {
      JsonNode n = JSON.readTree(r.value());
      if (n.path("request_id").asText().startsWith("logged-") && n.path("answered").asBoolean()) {
        out.put(n.path("request_id").asText() + "/" + n.path("index").asInt(), n);
      }
    }
    return out;
  }

  /** The values of a JSON object, in order. */
  static double[] doubles(JsonNode object) {
    List<Double> out = new ArrayList<>();
    object.elements().forEachRemaining(v -> out.add(v.asDouble()));
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  @Order(8)
  void embeddedFeaturesAnswerAsTheOnlineServiceDoes() throws Exception {
    Started embedded = serve(config("embedded", "features: {mode: embedded}\n"), Files.createTempDirectory(dir, "home"));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 260; i += 7) {
      ids.add("c-" + i); // with and without activity, with and without a profile
    }
    JsonNode remote = JSON.readTree(post(primary.base() + "/v1/models/fraud-scorer/predict", KEY, entities(ids, true), null).body());
    HttpResponse<String> r = post(embedded.base() + "/v1/models/fraud-scorer/predict", KEY, entities(ids, true), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode local = JSON.readTree(r.body());
    assertThat(local.path("predictions")).isEqualTo(remote.path("predictions"));
    assertThat(Files.isDirectory(embedded.home().resolve("models/fraud-scorer/features"))).isTrue();
    JsonNode health = JSON.readTree(get(embedded.base() + "/q/health/ready", KEY).body());
    assertThat(health.path("status").asText()).isEqualTo("UP");
  }
}
