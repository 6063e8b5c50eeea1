package dev.tessera.contracts.api;

/**
 * Every error Tessera reports carries one of these codes. The kind says who has to act, the HTTP
 * status is what a REST resource answers with.
 */
public enum ErrorCode {
  INVALID_ARGUMENT(Kind.USER, 400),
  INVALID_CONTRACT(Kind.USER, 422),
  INCOMPATIBLE_CHANGE(Kind.USER, 409),
  NOT_FOUND(Kind.USER, 404),
  UNAUTHENTICATED(Kind.USER, 401),
  FORBIDDEN(Kind.USER, 403),
  PAYLOAD_TOO_LARGE(Kind.USER, 413),
  OVERLOADED(Kind.TRANSIENT, 503),
  UNAVAILABLE(Kind.TRANSIENT, 503),
  IO_ERROR(Kind.TRANSIENT, 500),
  INTERNAL(Kind.INTERNAL, 500);

  /** Who has to act on an error: the caller, nobody (retry), or the Tessera operators. */
  public enum Kind {
    USER,
    TRANSIENT,
    INTERNAL
  }

  private final Kind kind;
  private final int httpStatus;

  ErrorCode(Kind kind, int httpStatus) {
    this.kind = kind;
    this.httpStatus = httpStatus;
  }

  public Kind kind() {
    return kind;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
