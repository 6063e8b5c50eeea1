package dev.tessera.online.rest;

import dev.tessera.errors.ErrorCode;

/**
 * The body of every error answer: {@code {"error": {"code", "kind", "message"}}}. The kind (USER,
 * TRANSIENT, INTERNAL) tells a client whether to fix the request, retry later, or report it.
 */
public record ErrorBody(Error error) {
  public record Error(String code, String kind, String message) {}

  public static ErrorBody of(ErrorCode code, String message) {
    return new ErrorBody(new Error(code.name(), code.kind().name(), message));
  }

  /** An error of the HTTP layer that has no Tessera code (405, 406, 415, ...). */
  public static ErrorBody http(int status, String message) {
    return new ErrorBody(new Error(status >= 500 ? ErrorCode.INTERNAL.name() : "HTTP_" + status,
        (status >= 500 ? ErrorCode.Kind.INTERNAL : ErrorCode.Kind.USER).name(), message));
  }
}
