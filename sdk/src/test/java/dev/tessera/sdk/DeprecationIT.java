package dev.tessera.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deprecated major with a sunset ahead answers with Deprecation, Sunset and Link headers and the
 * SDK warns once per feature set; a deprecated major past its sunset answers 410 Gone naming its
 * replacement, in the HTTP answer and as the SDK's exception. The packaged service on edited
 * copies of the example contracts.
 */
@Timeout(180)
class DeprecationIT {
  @TempDir Path dir;

  @Test
  void deprecatedMajorsAnswerWithHeadersThenGone() throws Exception {
    Path contracts = Files.createDirectories(dir.resolve("contracts"));
    try (var files = Files.list(Path.of("../contracts/examples"))) {
      for (Path f : files.toList()) {
        Files.copy(f, contracts.resolve(f.getFileName()));
      }
    }
    edit(contracts.resolve("customer_activity.yaml"), "version: 1.0.0",
        "version: 1.0.0\nstatus: deprecated\nsunset: 2099-01-01\nreplacement: customer_activity@2");
    edit(contracts.resolve("merchant_risk.yaml"), "version: 2.0.0",
        "version: 2.0.0\nstatus: deprecated\nsunset: 2020-01-01\nreplacement: merchant_risk@3");

    try (ServiceFixture service = new ServiceFixture(contracts)) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/v1/features/customer_activity?customer_id=c-1"))
          .header("X-API-Key", ServiceFixture.FRAUD_KEY).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("Deprecation")).hasValueSatisfying(v -> assertThat(v).matches("@\\d+"));
      assertThat(ok.headers().firstValue("Sunset")).hasValue("Thu, 1 Jan 2099 00:00:00 GMT");
      assertThat(ok.headers().firstValue("Link")).hasValue("</v1/feature-sets/customer_activity>; rel=\"successor-version\"; title=\"customer_activity@2\"");
      assertThat(ok.headers().firstValue("Tessera-Deprecated")).hasValue("customer_activity@1; sunset=2099-01-01; replacement=customer_activity@2");

      HttpResponse<String> gone = http.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/v1/features/merchant_risk?merchant_id=m-1"))
          .header("X-API-Key", ServiceFixture.FRAUD_KEY).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(gone.statusCode()).isEqualTo(410);
      assertThat(gone.body()).contains("\"code\":\"GONE\"").contains("merchant_risk@2 passed its sunset 2020-01-01: read merchant_risk@3 instead");

      List<String> warnings = new CopyOnWriteArrayList<>();
      Logger logger = Logger.getLogger(TesseraClient.class.getName());
      Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
          warnings.add(r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
      logger.addHandler(capture);
      try (TesseraClient client = TesseraClient.builder().baseUrl(service.baseUrl()).apiKey(ServiceFixture.FRAUD_KEY).build()) {
        for (int i = 0; i < 3; i++) {
          FeatureVector v = client.get("customer_activity", Map.of("customer_id", "c-" + i));
          assertThat(v.ok()).isTrue();
          assertThat(v.version()).as("the version that served it").isEqualTo("1.0.0");
        }
        client.lookup(List.of("customer_activity:txn_count_1h"), List.of(Map.of("customer_id", "c-4")));
        assertThat(warnings).singleElement().asString().contains("customer_activity@1 is deprecated; its sunset is 2099-01-01; move to customer_activity@2");
        assertThat(client.deprecations()).containsExactly("customer_activity@1; sunset=2099-01-01; replacement=customer_activity@2");

        assertThatThrownBy(() -> client.get("merchant_risk", Map.of("merchant_id", "m-1")))
            .isInstanceOfSatisfying(TesseraClientException.class, e -> {
              assertThat(e.status()).isEqualTo(410);
              assertThat(e.code()).isEqualTo("GONE");
              assertThat(e.getMessage()).contains("read merchant_risk@3 instead");
            });
        assertThatThrownBy(() -> client.lookup(List.of("customer_activity:*", "merchant_risk:*"),
            List.of(Map.of("customer_id", "c-1", "merchant_id", "m-1")))).hasMessageContaining("410 GONE");
      } finally {
        logger.removeHandler(capture);
      }
      try (TesseraClient marketing = TesseraClient.builder().baseUrl(service.baseUrl()).apiKey(ServiceFixture.MARKETING_KEY).build()) {
        marketing.get("customer_activity", Map.of("customer_id", "c-9"));
      }
      // who still reads what: the catalog counts answered requests per consumer of this major, with the last read
      com.fasterxml.jackson.databind.JsonNode catalog = new com.fasterxml.jackson.databind.ObjectMapper().readTree(http.send(
          HttpRequest.newBuilder(URI.create(service.baseUrl() + "/v1/feature-sets/customer_activity")).header("X-API-Key", ServiceFixture.FRAUD_KEY)
              .build(), HttpResponse.BodyHandlers.ofString()).body());
      assertThat(catalog.path("status").asText()).isEqualTo("deprecated");
      assertThat(catalog.path("sunset").asText()).isEqualTo("2099-01-01");
      assertThat(catalog.path("replacement").asText()).isEqualTo("customer_activity@2");
      // fraud-scoring: the raw GET, three gets and a lookup of the client (the 410 lookup is not an answered read)
      assertThat(catalog.at("/live/consumers/fraud-scoring/reads").asLong()).isEqualTo(5);
      assertThat(catalog.at("/live/consumers/marketing-propensity/reads").asLong()).isEqualTo(1);
      assertThat(catalog.at("/live/consumers/marketing-propensity/last_read_ms").asLong()).isGreaterThan(service.seededAt);
    }
  }

  private static void edit(Path file, String from, String to) throws Exception {
    String text = Files.readString(file);
    assertThat(text).contains(from);
    Files.writeString(file, text.replace(from, to));
  }
}
