package dev.tessera.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retries only transient failures, with backoff and Retry-After; typed errors at once. A stub server injects the answers. */
class RetryTest {
  static final String OK = """
      {"entity":{"customer_id":"c-1"},"feature_sets":{"customer_activity":{"status":"OK","event_time":1767225600000,"age_ms":5,
      "values":{"txn_count_1h":3,"last_country":"DE"}}}}""";

  HttpServer server;
  final AtomicInteger calls = new AtomicInteger();
  final List<Duration> sleeps = new ArrayList<>();

  /** Answers with the statuses in order (then 200). */
  String serve(int... statuses) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      int n = calls.getAndIncrement();
      int status = n < statuses.length ? statuses[n] : 200;
      byte[] body = (status == 200 ? OK : "{\"error\":{\"message\":\"injected " + status + "\"}}").getBytes();
      if (status == 503) {
        ex.getResponseHeaders().add("Retry-After", "1");
      }
      ex.sendResponseHeaders(status, body.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(body);
      }
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  TesseraClient client(String url, int retries) {
    return TesseraClient.builder().baseUrl(url).apiKey("k").retries(retries).timeout(Duration.ofMillis(500)).sleeper(sleeps::add).build();
  }

  @Test
  void injected503sAreRetriedHonouringRetryAfter() throws Exception {
    try (TesseraClient c = client(serve(503, 503), 3)) {
      FeatureVector v = c.get("customer_activity", Map.of("customer_id", "c-1"));
      assertThat(v.getLong("txn_count_1h")).isEqualTo(3L);
    }
    assertThat(calls.get()).isEqualTo(3);
    assertThat(sleeps).hasSize(2).allSatisfy(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ofSeconds(1)));
  }

  @Test
  void givesUpAfterMaxRetriesWithATypedError() throws Exception {
    try (TesseraClient c = client(serve(503, 503, 503, 503, 503), 2)) {
      assertThatThrownBy(() -> c.get("customer_activity", Map.of("customer_id", "c-1")))
          .isInstanceOfSatisfying(TesseraClientException.ServiceUnavailableException.class, e -> assertThat(e.status()).isEqualTo(503))
          .hasMessageContaining("injected 503");
    }
    assertThat(calls.get()).isEqualTo(3);
  }

  @Test
  void clientErrorsAreNotRetried() throws Exception {
    try (TesseraClient c = client(serve(400, 404, 401, 403, 413), 3)) {
      assertThatThrownBy(() -> c.get("customer_activity", Map.of("customer_id", "c-1"))).isInstanceOf(TesseraClientException.InvalidRequestException.class);
      assertThatThrownBy(() -> c.get("customer_activity", Map.of("customer_id", "c-1"))).isInstanceOf(TesseraClientException.FeatureNotFoundException.class);
      assertThatThrownBy(() -> c.get("customer_activity", Map.of("customer_id", "c-1"))).isInstanceOf(TesseraClientException.AccessDeniedException.class);
      assertThatThrownBy(() -> c.get("customer_activity", Map.of("customer_id", "c-1"))).isInstanceOf(TesseraClientException.AccessDeniedException.class);
      assertThatThrownBy(() -> c.get("customer_activity", Map.of("customer_id", "c-1"))).isInstanceOf(TesseraClientException.InvalidRequestException.class);
    }
    assertThat(calls.get()).isEqualTo(5);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void connectionRefusedIsRetriedWithJitteredBackoff() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (TesseraClient c = client("http://127.0.0.1:" + port, 4)) {
      assertThatThrownBy(() -> c.get("customer_activity", Map.of("customer_id", "c-1")))
          .isInstanceOfSatisfying(TesseraClientException.ServiceUnavailableException.class, e -> assertThat(e.code()).isEqualTo("UNREACHABLE"));
    }
    assertThat(sleeps).hasSize(4);
    // full jitter under a doubling ceiling: 50, 100, 200, 400 ms
    for (int i = 0; i < 4; i++) {
      assertThat(sleeps.get(i)).isLessThanOrEqualTo(Duration.ofMillis(50L << i));
    }
  }

  @Test
  void timeoutsAreTransient() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      calls.incrementAndGet();
      try {
        Thread.sleep(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.sendResponseHeaders(200, -1);
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    try (TesseraClient c = TesseraClient.builder().baseUrl("http://127.0.0.1:" + server.getAddress().getPort()).retries(1)
        .timeout(Duration.ofMillis(100)).sleeper(sleeps::add).build()) {
      assertThatThrownBy(() -> c.get("customer_activity", Map.of("customer_id", "c-1")))
          .isInstanceOfSatisfying(TesseraClientException.ServiceUnavailableException.class, e -> assertThat(e.code()).isEqualTo("TIMEOUT"));
    }
    assertThat(calls.get()).isEqualTo(2);
  }
}
