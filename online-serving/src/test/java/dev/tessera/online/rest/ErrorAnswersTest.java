package dev.tessera.online.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every error code through the REST layer's mappers: status, Retry-After and a body that carries the kind. */
class ErrorAnswersTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void everyCodeIsAnsweredByItsKind(ErrorCode code) throws Exception {
    Response r = new ErrorMappers().tessera(new TesseraException(code, "Cannot do it: " + code));
    assertThat(r.getStatus()).isEqualTo(code.httpStatus());
    switch (code.kind()) {
      case USER -> assertThat(r.getStatus()).isBetween(400, 499);
      case TRANSIENT -> assertThat(r.getStatus()).isEqualTo(503);
      case INTERNAL -> assertThat(r.getStatus()).isEqualTo(500);
    }
    assertThat(r.getHeaderString("Retry-After")).isEqualTo(code.kind() == ErrorCode.Kind.TRANSIENT ? "1" : null);
    JsonNode body = JSON.valueToTree(r.getEntity());
    assertThat(body.at("/error/code").asText()).isEqualTo(code.name());
    assertThat(body.at("/error/kind").asText()).isEqualTo(code.kind().name());
    assertThat(body.at("/error/message").asText()).isEqualTo("Cannot do it: " + code);
  }

  @Test
  void rawFailuresAreWrappedNeverShown() {
    Response io = new ErrorMappers().unexpected(new UncheckedIOException(new IOException("Redis connection reset")));
    assertThat(io.getStatus()).isEqualTo(503);
    assertThat(io.getHeaderString("Retry-After")).isEqualTo("1");
    JsonNode bug = JSON.valueToTree(new ErrorMappers().unexpected(new IllegalStateException("a bug")).getEntity());
    assertThat(bug.at("/error/kind").asText()).isEqualTo("INTERNAL");
    assertThat(bug.at("/error/message").asText()).startsWith("Internal error ").doesNotContain("IllegalStateException");
  }
}
