package dev.tessera.online.rest;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error is answered as an {@link ErrorBody} with the status of its code, and {@code
 * Retry-After} when its kind is TRANSIENT; never with a stack trace. An unexpected failure is
 * logged with an id that the answer carries.
 */
public class ErrorMappers {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMappers.class);

  @ServerExceptionMapper
  public Response tessera(TesseraException e) {
    return answer(e.code(), e.getMessage());
  }

  /** The answer to an error of {@code code}. */
  public static Response answer(ErrorCode code, String message) {
    Response.ResponseBuilder r = Response.status(code.httpStatus()).type(MediaType.APPLICATION_JSON_TYPE).entity(ErrorBody.of(code, message));
    if (code.kind().retryable()) {
      r.header("Retry-After", "1");
    }
    return r.build();
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    ErrorCode code = switch (status) {
      case 400 -> ErrorCode.INVALID_ARGUMENT;
      case 401 -> ErrorCode.UNAUTHENTICATED;
      case 403 -> ErrorCode.FORBIDDEN;
      case 404 -> ErrorCode.NOT_FOUND;
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
      default -> null;
    };
    String message = e.getMessage() == null ? Response.Status.fromStatusCode(status) + "" : e.getMessage();
    if (code != null) {
      return answer(code, message);
    }
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(ErrorBody.http(status, message)).build();
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e) {
    TesseraException t = TesseraException.wrap(e);
    if (t.code() != ErrorCode.INTERNAL) {
      LOG.warn("{}", t.getMessage(), e);
      return answer(t.code(), t.getMessage());
    }
    String id = UUID.randomUUID().toString();
    LOG.error("Unexpected error {}", id, e);
    return answer(ErrorCode.INTERNAL, "Internal error " + id + "; the service log has the details");
  }
}
