package dev.tessera.errors;

/**
 * Every error Tessera reports carries one of these codes. Its {@link Kind} says who has to act,
 * and decides, the same way everywhere, the CLI's exit code, the HTTP status class, the {@code
 * Retry-After} header and whether the SDK retries.
 */
public enum ErrorCode {
  INVALID_ARGUMENT(Kind.USER, 400),
  INVALID_CONTRACT(Kind.USER, 422),
  INCOMPATIBLE_CHANGE(Kind.USER, 409),
  NOT_FOUND(Kind.USER, 404),
  UNAUTHENTICATED(Kind.USER, 401),
  FORBIDDEN(Kind.USER, 403),
  PAYLOAD_TOO_LARGE(Kind.USER, 413),
  /** A model input has no value for an entity and the model config says {@code missing: reject}. */
  MISSING_FEATURES(Kind.USER, 422),
  /** The state does not allow the action: a promotion gate failed, nothing to roll back. */
  FAILED_PRECONDITION(Kind.USER, 409),
  /** A deprecated major past its sunset: read its replacement. */
  GONE(Kind.USER, 410),
  OVERLOADED(Kind.TRANSIENT, 503),
  UNAVAILABLE(Kind.TRANSIENT, 503),
  IO_ERROR(Kind.TRANSIENT, 503),
  INTERNAL(Kind.INTERNAL, 500);

  /** Who has to act on an error: the caller, nobody (retry later), or the Tessera operators. */
  public enum Kind {
    /** The request or input is wrong: fix it. CLI exit 1, HTTP 4xx, never retried. */
    USER(1),
    /** The system cannot answer now: retry later. CLI exit 75 (EX_TEMPFAIL), HTTP 503 with Retry-After, retried by the SDK. */
    TRANSIENT(75),
    /** A bug or a broken installation: tell the operators. CLI exit 70 (EX_SOFTWARE), HTTP 500, never retried. */
    INTERNAL(70);

    private final int exitCode;

    Kind(int exitCode) {
      this.exitCode = exitCode;
    }

    /** The CLI's exit code for errors of this kind. */
    public int exitCode() {
      return exitCode;
    }

    /** Whether trying the same call again later may succeed. */
    public boolean retryable() {
      return this == TRANSIENT;
    }
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
