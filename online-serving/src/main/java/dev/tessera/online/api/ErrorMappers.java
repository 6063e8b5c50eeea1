package dev.tessera.online.api;

import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.TesseraException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error is answered as {@code {"error": {"code", "message"}}} with the status of its code;
 * never with a stack trace. An unexpected failure is logged with an id that the answer carries.
 */
public class ErrorMappers {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMappers.class);

  @ServerExceptionMapper
  public Response tessera(TesseraException e) {
    Response.ResponseBuilder r = Response.status(e.code().httpStatus()).type(MediaType.APPLICATION_JSON_TYPE)
        .entity(body(e.code().name(), e.getMessage()));
    if (e.code().kind() == ErrorCode.Kind.TRANSIENT) {
      r.header("Retry-After", "1");
    }
    return r.build();
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    String code = switch (status) {
      case 400 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "FORBIDDEN";
      case 404 -> "NOT_FOUND";
      case 405 -> "METHOD_NOT_ALLOWED";
      case 406 -> "NOT_ACCEPTABLE";
      case 413 -> "PAYLOAD_TOO_LARGE";
      case 415 -> "UNSUPPORTED_MEDIA_TYPE";
      default -> status >= 500 ? "INTERNAL" : "HTTP_" + status;
    };
    String message = e.getMessage() == null ? Response.Status.fromStatusCode(status) + "" : e.getMessage();
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body(code, message)).build();
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e) {
    String id = UUID.randomUUID().toString();
    LOG.error("Unexpected error {}", id, e);
    return Response.status(500).type(MediaType.APPLICATION_JSON_TYPE)
        .entity(body(ErrorCode.INTERNAL.name(), "Internal error " + id + "; the service log has the details")).build();
  }

  static Map<String, Object> body(String code, String message) {
    return Map.of("error", Map.of("code", code, "message", message));
  }
}
