package dev.tessera.model.rest;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online service's error model: {@code {"error": {"code", "kind", "message"}}} with the status
 * of its code, {@code Retry-After} when it is transient, never a stack trace; an unexpected
 * failure is logged with an id the answer carries.
 */
public class ModelErrors {
  private static final Logger LOG = LoggerFactory.getLogger(ModelErrors.class);

  @ServerExceptionMapper
  public Response tessera(TesseraException e) {
    return answer(e.code(), e.getMessage());
  }

  public static Response answer(ErrorCode code, String message) {
    Response.ResponseBuilder r = Response.status(code.httpStatus()).type(MediaType.APPLICATION_JSON_TYPE)
        .entity(Map.of("error", Map.of("code", code.name(), "kind", code.kind().name(), "message", message)));
    if (code.kind().retryable()) {
      r.header("Retry-After", "1");
    }
    return r.build();
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    String message = e.getMessage() == null ? Response.Status.fromStatusCode(status) + "" : e.getMessage();
    ErrorCode code = switch (status) {
      case 400 -> ErrorCode.INVALID_ARGUMENT;
      case 401 -> ErrorCode.UNAUTHENTICATED;
      case 403 -> ErrorCode.FORBIDDEN;
      case 404 -> ErrorCode.NOT_FOUND;
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
      default -> null;
    };
    if (code != null) {
      return answer(code, message);
    }
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(Map.of("error", Map.of("code", status >= 500 ? "INTERNAL" : "HTTP_" + status,
        "kind", status >= 500 ? "INTERNAL" : "USER", "message", message))).build();
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e) {
    TesseraException t = TesseraException.wrap(e);
    if (t.code() != ErrorCode.INTERNAL) {
      return answer(t.code(), t.getMessage());
    }
    String id = UUID.randomUUID().toString();
    LOG.error("Unexpected error {}", id, e);
    return answer(ErrorCode.INTERNAL, "Internal error " + id + "; the service log has the details");
  }
}
