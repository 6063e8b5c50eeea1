package dev.tessera.online.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.testkit.ChangelogSeeder;
import dev.tessera.online.arrow.ArrowBatches;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The online API end to end on a real broker: changelog → store → HTTP, run once per store
 * (subclasses pick the profile). Values are checked against the winning changelog rows.
 */
@Timeout(120)
abstract class ServingApiChecks {
  static final String ARROW = ArrowBatches.MEDIA_TYPE;
  static final String NO_TRACE = "\tat ";

  @Inject ServiceLifecycle lifecycle;

  @BeforeEach
  void awaitReady() {
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
  }

  static ChangelogSeeder.Row expected(String set, String key) {
    return ChangelogFixture.EXPECTED.get(set).get(key);
  }

  /** The catalog UI on this store: sign-in, a feature set page with the version this store kept, a lookup from its form. */
  @Test
  void catalogPagesSignInAndShowTheVersionTheStoreKept() {
    given().redirects().follow(false).get("/ui/feature-sets/customer_activity@1").then().statusCode(303)
        .header("Location", containsString("/ui/login?next="));
    given().redirects().follow(false).formParam("api_key", "wrong").post("/ui/login").then().statusCode(401)
        .body(containsString("not known to this service"));
    Response signIn = given().redirects().follow(false).formParam("api_key", ServingProfiles.MARKETING_KEY).formParam("next", "/ui")
        .post("/ui/login");
    signIn.then().statusCode(303);
    String session = signIn.getCookie("tessera_ui");
    assertThat(session).hasSize(64);

    String page = given().cookie("tessera_ui", session).get("/ui/feature-sets/customer_activity@1").then().statusCode(200)
        .contentType(containsString("text/html")).extract().asString();
    assertThat(page).contains("Signed in as <strong>marketing-propensity</strong>").contains("id=\"version-1.0.0\"").contains("served now")
        .contains("id=\"feature-txn_count_1h\"").contains("amount must not be null").doesNotContain(NO_TRACE);
    ChangelogSeeder.Row want = expected("customer_activity", "c-3");
    String answer = given().cookie("tessera_ui", session).formParam("key.customer_id", "c-3").post("/ui/feature-sets/customer_activity@1/lookup")
        .then().statusCode(200).extract().asString();
    assertThat(answer).contains("<strong id=\"lookup-status\">OK</strong>")
        .contains("<th scope=\"row\">txn_count_1h</th><td class=\"value\">" + want.values().get("txn_count_1h") + "</td>");
    // merchant_risk does not list marketing-propensity: the page shows it, the form says whom to ask
    given().cookie("tessera_ui", session).get("/ui/feature-sets/merchant_risk").then().statusCode(200)
        .body(containsString("Your consumer is not listed by this contract"));
    given().cookie("tessera_ui", session).get("/ui/feature-sets/nope").then().statusCode(404).body(containsString("Unknown feature set &#39;nope&#39;"));
  }

  @Test
  void singleEntityLookupServesTheWinningRow() {
    for (String id : List.of("c-0", "c-1", "c-17", "c-tie")) {
      ChangelogSeeder.Row want = expected("customer_activity", id);
      Response r = given().header(AccessControl.HEADER, ServingProfiles.FRAUD_KEY).get("/v1/features/customer_activity?customer_id=" + id);
      r.then().statusCode(200)
          .body("entity.customer_id", equalTo(id))
          .body("feature_sets.customer_activity.status", equalTo("OK"))
          .body("feature_sets.customer_activity.version", equalTo("1.0.0"))
          .body("feature_sets.customer_activity.event_time", equalTo(want.eventTime()));
      Map<String, Object> values = r.jsonPath().getMap("feature_sets.customer_activity.values");
      assertThat(values).containsOnlyKeys(want.values().keySet());
      want.values().forEach((f, v) -> {
        Object got = values.get(f);
        if (v instanceof Number n) {
          assertThat(((Number) got).doubleValue()).as("%s of %s", f, id).isCloseTo(n.doubleValue(), org.assertj.core.data.Offset.offset(1e-3));
        } else {
          assertThat(got).as("%s of %s", f, id).isEqualTo(v);
        }
      });
      long age = r.jsonPath().getLong("feature_sets.customer_activity.age_ms");
      assertThat(age).isBetween(System.currentTimeMillis() - want.eventTime() - 60_000, System.currentTimeMillis() - want.eventTime());
    }
  }

  @Test
  void missingAndExpiredNeverCarryNumbers() {
    given().header(AccessControl.HEADER, ServingProfiles.FRAUD_KEY).get("/v1/features/customer_activity?customer_id=c-nobody")
        .then().statusCode(200).body("feature_sets.customer_activity.status", equalTo("MISSING"))
        .body("feature_sets.customer_activity.event_time", nullValue())
        .body("feature_sets.customer_activity.values.txn_count_1h", nullValue());
    given().header(AccessControl.HEADER, ServingProfiles.FRAUD_KEY).get("/v1/features/customer_activity?customer_id=c-old")
        .then().statusCode(200).body("feature_sets.customer_activity.status", equalTo("EXPIRED"))
        .body("feature_sets.customer_activity.values.txn_count_1h", nullValue())
        .body("feature_sets.customer_activity.values.last_country", nullValue());
  }

  @Test
  void batchLookupAsJsonKeepsRequestOrderAcrossFeatureSets() {
    String body = """
        {"features": ["customer_activity:txn_count_1h", "merchant_risk:*", "customer_activity:last_country"],
         "entities": [{"customer_id": "c-3", "merchant_id": "m-2"}, {"customer_id": "c-nobody", "merchant_id": "m-9"},
                      {"customer_id": "c-4", "merchant_id": "m-404"}]}""";
    Response r = given().header(AccessControl.HEADER, ServingProfiles.FRAUD_KEY).contentType("application/json").body(body)
        .post("/v1/features/lookup");
    r.then().statusCode(200);
    assertThat(r.jsonPath().getList("results.entity.customer_id")).containsExactly("c-3", "c-nobody", "c-4");
    assertThat(r.jsonPath().getMap("results[0].feature_sets.customer_activity.values")).containsOnlyKeys("txn_count_1h", "last_country");
    assertThat(r.jsonPath().getLong("results[0].feature_sets.customer_activity.values.txn_count_1h"))
        .isEqualTo(expected("customer_activity", "c-3").values().get("txn_count_1h"));
    assertThat(r.jsonPath().getString("results[0].feature_sets.customer_activity.values.last_country"))
        .isEqualTo(expected("customer_activity", "c-3").values().get("last_country"));
    assertThat(r.jsonPath().getMap("results[0].feature_sets.merchant_risk.values"))
        .containsOnlyKeys(ChangelogFixture.REGISTRY.get("merchant_risk").featureNames().toArray(String[]::new));
    assertThat(r.jsonPath().getString("results[1].feature_sets.customer_activity.status")).isEqualTo("MISSING");
    assertThat(r.jsonPath().getString("results[1].feature_sets.merchant_risk.status")).isEqualTo("OK");
    assertThat(r.jsonPath().getString("results[1].feature_sets.merchant_risk.version")).as("the version that served it").isEqualTo("2.0.0");
    assertThat(r.jsonPath().getString("results[2].feature_sets.merchant_risk.status")).isEqualTo("MISSING");
  }

  @Test
  void arrowLookupReadBackWithArrowsOwnReader() throws Exception {
    List<Map<String, String>> entities = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      entities.add(Map.of("customer_id", "c-" + (i % 45), "merchant_id", "m-" + (i % 12)));
    }
    StringBuilder json = new StringBuilder("{\"features\":[\"customer_activity:*\",\"merchant_risk:txn_count_24h\"],\"entities\":[");
    for (int i = 0; i < entities.size(); i++) {
      json.append(i == 0 ? "" : ",").append("{\"customer_id\":\"").append(entities.get(i).get("customer_id"))
          .append("\",\"merchant_id\":\"").append(entities.get(i).get("merchant_id")).append("\"}");
    }
    json.append("]}");
    byte[] fromJson = given().header(AccessControl.HEADER, ServingProfiles.FRAUD_KEY).contentType("application/json").accept(ARROW)
        .body(json.toString()).post("/v1/features/lookup").then().statusCode(200).contentType(ARROW).extract().asByteArray();
    // the same keys sent as an Arrow IPC body
    byte[] fromArrow;
    try (BufferAllocator a = new RootAllocator()) {
      byte[] keys = ArrowBatches.writeKeys(a, List.of("customer_id", "merchant_id"), entities);
      fromArrow = given().header(AccessControl.HEADER, ServingProfiles.FRAUD_KEY).contentType(ARROW).accept(ARROW).body(keys)
          .queryParam("features", "customer_activity:*").queryParam("features", "merchant_risk:txn_count_24h")
          .post("/v1/features/lookup").then().statusCode(200).extract().asByteArray();
    }
    for (byte[] bytes : List.of(fromJson, fromArrow)) {
      try (BufferAllocator a = new RootAllocator();
          ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(bytes), a)) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        FeatureSetContract activity = ChangelogFixture.REGISTRY.get("customer_activity");
        List<String> expectedColumns = new ArrayList<>();
        activity.featureNames().forEach(f -> expectedColumns.add("customer_activity__" + f));
        expectedColumns.add("customer_activity__event_time");
        expectedColumns.add("merchant_risk__txn_count_24h");
        expectedColumns.add("merchant_risk__event_time");
        assertThat(root.getSchema().getFields().stream().map(Field::getName)).containsExactlyElementsOf(expectedColumns);
        assertThat(root.getSchema().getCustomMetadata()).as("the versions that served it")
            .containsEntry("tessera.version.customer_activity", "1.0.0").containsEntry("tessera.version.merchant_risk", "2.0.0");
        assertThat(root.getSchema().findField("customer_activity__event_time").getType())
            .isEqualTo(new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.MILLISECOND, "UTC"));
        int rows = 0;
        while (reader.loadNextBatch()) {
          BigIntVector count = (BigIntVector) root.getVector("customer_activity__txn_count_1h");
          Float8Vector sum = (Float8Vector) root.getVector("customer_activity__amount_sum_24h");
          VarCharVector country = (VarCharVector) root.getVector("customer_activity__last_country");
          TimeStampMilliTZVector time = (TimeStampMilliTZVector) root.getVector("customer_activity__event_time");
          BigIntVector merchantCount = (BigIntVector) root.getVector("merchant_risk__txn_count_24h");
          for (int i = 0; i < root.getRowCount(); i++, rows++) {
            Map<String, String> e = entities.get(rows);
            ChangelogSeeder.Row want = expected("customer_activity", e.get("customer_id"));
            if (want == null) { // c-40..c-44 were never written
              assertThat(count.isNull(i)).isTrue();
              assertThat(time.isNull(i)).isTrue();
            } else {
              assertThat(count.get(i)).isEqualTo(want.values().get("txn_count_1h"));
              assertThat(sum.get(i)).isEqualTo(want.values().get("amount_sum_24h"));
              assertThat(new String(country.get(i), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(want.values().get("last_country"));
              assertThat(time.get(i)).isEqualTo(want.eventTime());
            }
            ChangelogSeeder.Row merchant = expected("merchant_risk", e.get("merchant_id"));
            if (merchant == null) {
              assertThat(merchantCount.isNull(i)).isTrue();
            } else {
              assertThat(merchantCount.get(i)).isEqualTo(merchant.values().get("txn_count_24h"));
            }
          }
        }
        assertThat(rows).isEqualTo(1000);
      }
    }
  }

  @Test
  void newChangelogRowsBecomeVisibleAndFreshnessIsMeasured() {
    FeatureSetContract activity = ChangelogFixture.REGISTRY.get("customer_activity");
    long t = System.currentTimeMillis() - 250;
    ChangelogSeeder.Row fresh = ChangelogFixture.row(activity, Map.of("customer_id", "c-fresh"), 77, t, 1);
    new ChangelogSeeder(ChangelogFixture.kafka).send(fresh);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().header(AccessControl.HEADER, ServingProfiles.FRAUD_KEY)
        .get("/v1/features/customer_activity?customer_id=c-fresh").then().statusCode(200)
        .body("feature_sets.customer_activity.status", equalTo("OK"))
        .body("feature_sets.customer_activity.event_time", equalTo(t)));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Response r = given().header(AccessControl.HEADER, ServingProfiles.OPS_KEY).get("/v1/feature-sets/customer_activity");
      r.then().statusCode(200).body("live.changelog.lag_records", equalTo(0));
      assertThat(r.jsonPath().getLong("live.freshness.p50_ms")).isGreaterThanOrEqualTo(250);
      assertThat(r.jsonPath().getLong("live.freshness.samples")).isGreaterThanOrEqualTo(1);
    });
  }

  @Test
  void catalogListsContractsWithLiveStatusAndAccess() {
    Response r = given().header(AccessControl.HEADER, ServingProfiles.MARKETING_KEY).get("/v1/feature-sets");
    r.then().statusCode(200);
    assertThat(r.jsonPath().getList("feature_sets.name"))
        .containsExactlyInAnyOrder("customer_activity", "customer_merchant", "merchant_risk", "customer_profile");
    Response one = given().header(AccessControl.HEADER, ServingProfiles.MARKETING_KEY).get("/v1/feature-sets/merchant_risk");
    one.then().statusCode(200).body("owner.team", equalTo("merchant-risk")).body("readable", equalTo(false))
        .body("entity.keys[0].name", equalTo("merchant_id"))
        .body("consumers.name", org.hamcrest.Matchers.hasItem("fraud-scoring"))
        .body("live.ready", equalTo(true));
    given().header(AccessControl.HEADER, ServingProfiles.MARKETING_KEY).get("/v1/feature-sets/customer_activity")
        .then().statusCode(200).body("readable", equalTo(true)).body("sla.freshness", equalTo(dev.tessera.contracts.model.Durations.format(java.time.Duration.ofSeconds(60))))
        .body("live.completeness.ratio", org.hamcrest.Matchers.anything());
  }

  @Test
  void accessControl() {
    // no key, unknown key: 401
    given().get("/v1/features/customer_activity?customer_id=c-1").then().statusCode(401)
        .body("error.code", equalTo("UNAUTHENTICATED")).body("error.message", containsString("X-API-Key"));
    given().header(AccessControl.HEADER, "nope").get("/v1/features/customer_activity?customer_id=c-1").then().statusCode(401);
    given().header(AccessControl.HEADER, "nope").get("/v1/feature-sets").then().statusCode(401);
    // marketing-propensity is not a consumer of merchant_risk: 403, naming consumer, set and owner
    given().header(AccessControl.HEADER, ServingProfiles.MARKETING_KEY).get("/v1/features/merchant_risk?merchant_id=m-1")
        .then().statusCode(403).body("error.code", equalTo("FORBIDDEN"))
        .body("error.message", containsString("Consumer 'marketing-propensity' may not read feature set 'merchant_risk'"));
    given().header(AccessControl.HEADER, ServingProfiles.MARKETING_KEY).contentType("application/json")
        .body("{\"features\":[\"customer_activity:*\",\"merchant_risk:txn_count_24h\"],\"entities\":[{\"customer_id\":\"c-1\",\"merchant_id\":\"m-1\"}]}")
        .post("/v1/features/lookup").then().statusCode(403);
    // a consumer listed by the contract, with a key stored only as a hash: 200
    given().header(AccessControl.HEADER, ServingProfiles.MARKETING_KEY).get("/v1/features/customer_activity?customer_id=c-1")
        .then().statusCode(200);
    // '*' reads everything
    given().header(AccessControl.HEADER, ServingProfiles.OPS_KEY).get("/v1/features/merchant_risk?merchant_id=m-1").then().statusCode(200);
  }

  @Test
  void errorsNameWhatIsWrongAndCarryNoStackTrace() throws Exception {
    String key = ServingProfiles.FRAUD_KEY;
    List<Response> answers = new ArrayList<>();
    answers.add(check(given().header(AccessControl.HEADER, key).get("/v1/features/customer_activty?customer_id=c-1"), 404,
        "Unknown feature set 'customer_activty'; did you mean 'customer_activity'?"));
    answers.add(check(lookup(key, "{\"features\":[\"customer_activity:txn_count_2h\"],\"entities\":[{\"customer_id\":\"c-1\"}]}"), 404,
        "Unknown feature 'customer_activity:txn_count_2h'"));
    answers.add(check(lookup(key, "{\"features\":[\"nope:*\"],\"entities\":[{\"customer_id\":\"c-1\"}]}"), 404, "Unknown feature set 'nope'"));
    answers.add(check(given().header(AccessControl.HEADER, key).get("/v1/features/customer_activity"), 400,
        "missing key 'customer_id'"));
    answers.add(check(given().header(AccessControl.HEADER, key).get("/v1/features/customer_activity?customerid=c-1"), 400,
        "Unknown key 'customerid' for feature set customer_activity; did you mean 'customer_id'?"));
    answers.add(check(lookup(key, "{\"features\":[\"customer_merchant:*\"],\"entities\":[{\"customer_id\":\"c-1\",\"merchant_id\":\"m-1\"},"
        + "{\"customer_id\":\"c-2\"}]}"), 400, "entities[1]: Cannot look up customer_merchant: missing key 'merchant_id'"));
    answers.add(check(lookup(key, "{\"features\":[\"customer_activity:*\"],\"entities\":[{\"customer_id\":[1]}]}"), 400,
        "entities[0].customer_id: expected a string or an integer, got [1]"));
    answers.add(check(lookup(key, "{\"features\": \"customer_activity:*\", \"entities\": []}"), 400, "features: expected an array"));
    answers.add(check(lookup(key, "{\"features\":[\"customer_activity\"],\"entities\":[{\"customer_id\":\"c-1\"}]}"), 400,
        "'customer_activity' is not a feature reference"));
    answers.add(check(lookup(key, "{\"features\": [\"customer_activity:*\""), 400, "Body: not valid JSON"));
    answers.add(check(given().header(AccessControl.HEADER, key).contentType(ARROW).body(new byte[] {1, 2, 3})
        .queryParam("features", "customer_activity:*").post("/v1/features/lookup"), 400, "Arrow body"));
    // more entities than tessera.online.max-entities (5000 here): 413
    StringBuilder many = new StringBuilder("{\"features\":[\"customer_activity:*\"],\"entities\":[");
    for (int i = 0; i < 5001; i++) {
      many.append(i == 0 ? "" : ",").append("{\"customer_id\":\"c-").append(i).append("\"}");
    }
    answers.add(check(lookup(key, many.append("]}").toString()), 413, "5001 entities in one request, at most 5000"));
    // a body over the size limit (4m): 413 from the HTTP layer, before any parsing
    // (Expect: 100-continue, so the client learns the answer before streaming the 5 MB it would be refused)
    java.net.http.HttpResponse<String> tooBig = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://localhost:" + io.restassured.RestAssured.port + "/v1/features/lookup"))
        .version(java.net.http.HttpClient.Version.HTTP_1_1).header(AccessControl.HEADER, key).header("Content-Type", "application/json")
        .expectContinue(true)
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"features\":[],\"pad\":\"" + "x".repeat(5 << 20) + "\"}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(tooBig.statusCode()).isEqualTo(413);
    assertThat(tooBig.body()).doesNotContain(NO_TRACE).doesNotContain("Exception");
    for (Response r : answers) {
      assertThat(r.asString()).doesNotContain(NO_TRACE).doesNotContain("Exception");
    }
  }

  @Test
  void overloadIsAnswered503WithRetryAfter() {
    var permits = lifecycle.limiter();
    int held = permits.drainPermits();
    try {
      Response r = given().header(AccessControl.HEADER, ServingProfiles.FRAUD_KEY).get("/v1/features/customer_activity?customer_id=c-1");
      r.then().statusCode(503).header("Retry-After", "1").body("error.code", equalTo("OVERLOADED"));
    } finally {
      permits.release(held);
    }
    given().header(AccessControl.HEADER, ServingProfiles.FRAUD_KEY).get("/v1/features/customer_activity?customer_id=c-1").then().statusCode(200);
    // every permit comes back once responses have ended (the release runs just after the answer is sent)
    await().atMost(Duration.ofSeconds(5)).until(() -> permits.availablePermits() == 256);
  }

  @Test
  void metricsAndOpenApi() {
    given().header(AccessControl.HEADER, ServingProfiles.FRAUD_KEY).get("/v1/features/customer_activity?customer_id=c-nobody").then().statusCode(200);
    given().header(AccessControl.HEADER, ServingProfiles.FRAUD_KEY).get("/v1/features/customer_activity?customer_id=c-old").then().statusCode(200);
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics)
        .contains("tessera_lookup_latency_seconds_bucket{endpoint=\"get\",feature_set=\"customer_activity\"")
        .contains("tessera_lookups_total{feature_set=\"customer_activity\",major=\"1\",status=\"missing\"}")
        .contains("tessera_lookups_total{feature_set=\"customer_activity\",major=\"1\",status=\"expired\"}")
        .contains("tessera_changelog_lag_records{feature_set=\"merchant_risk\",major=\"2\"}")
        .contains("tessera_freshness_lag_seconds");
    String openapi = given().get("/q/openapi").then().statusCode(200).extract().asString();
    assertThat(openapi).contains("/v1/features/lookup").contains("/v1/features/{featureSet}").contains("/v1/feature-sets/{name}")
        .contains(ARROW);
    given().get("/q/health/live").then().statusCode(200);
  }

  private static Response lookup(String key, String body) {
    return given().header(AccessControl.HEADER, key).contentType("application/json").body(body).post("/v1/features/lookup");
  }

  private static Response check(Response r, int status, String message) {
    r.then().statusCode(status).contentType("application/json").body("error.message", containsString(message))
        .body("error.kind", org.hamcrest.Matchers.equalTo(status >= 500 && status != 503 ? "INTERNAL" : status == 503 ? "TRANSIENT" : "USER"));
    return r;
  }
}
