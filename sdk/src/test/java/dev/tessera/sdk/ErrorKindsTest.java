package dev.tessera.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.tessera.errors.ErrorCode;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every error code as the service answers it (status, Retry-After, {@code {"error": {code, kind,
 * message}}}) through the client: transient ones are retried, the others fail at once, and the
 * exception carries the code and kind.
 */
class ErrorKindsTest {
  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void everyCodeIsRetriedOrNotByItsKind(ErrorCode code) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      calls.incrementAndGet();
      byte[] body = ("{\"error\":{\"code\":\"" + code + "\",\"kind\":\"" + code.kind() + "\",\"message\":\"Cannot do it\"}}").getBytes();
      if (code.kind().retryable()) {
        ex.getResponseHeaders().add("Retry-After", "1");
      }
      ex.sendResponseHeaders(code.httpStatus(), body.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(body);
      }
    });
    server.start();
    List<Duration> sleeps = new ArrayList<>();
    try (TesseraClient client = TesseraClient.builder().baseUrl("http://127.0.0.1:" + server.getAddress().getPort()).apiKey("k")
        .retries(2).timeout(Duration.ofSeconds(2)).sleeper(sleeps::add).build()) {
      TesseraClientException e = catchThrowableOfType(() -> client.get("customer_activity", Map.of("customer_id", "c-1")),
          TesseraClientException.class);
      assertThat(e.code()).isEqualTo(code.name());
      assertThat(e.kind().name()).isEqualTo(code.kind().name());
      assertThat(e.status()).isEqualTo(code.httpStatus());
      assertThat(e.getMessage()).contains("Cannot do it");
      assertThat(e.transientFailure()).isEqualTo(code.kind().retryable());
      assertThat(calls.get()).as("attempts").isEqualTo(code.kind().retryable() ? 3 : 1);
      assertThat(sleeps).hasSize(code.kind().retryable() ? 2 : 0);
      Class<?> expected = switch (code) {
        case NOT_FOUND -> TesseraClientException.FeatureNotFoundException.class;
        case UNAUTHENTICATED, FORBIDDEN -> TesseraClientException.AccessDeniedException.class;
        default -> switch (code.kind()) {
          case USER -> TesseraClientException.InvalidRequestException.class;
          case TRANSIENT -> TesseraClientException.ServiceUnavailableException.class;
          case INTERNAL -> TesseraClientException.class;
        };
      };
      assertThat(e).isExactlyInstanceOf(expected);
    } finally {
      server.stop(0);
    }
  }
}
