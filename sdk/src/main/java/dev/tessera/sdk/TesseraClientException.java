package dev.tessera.sdk;

/**
 * Every failure the SDK reports. {@link #status()} is the HTTP status (0 when no answer came),
 * {@link #code()} the service's error code (e.g. {@code NOT_FOUND}), {@link #kind()} who has to
 * act: the caller ({@code USER}: fix the request), nobody ({@code TRANSIENT}: retried with backoff
 * before it reaches you), or the operators ({@code INTERNAL}). Subclasses say what the caller can do.
 */
public class TesseraClientException extends RuntimeException {
  /** Who has to act on a failure; the service sends it with every error. */
  public enum Kind {
    USER,
    TRANSIENT,
    INTERNAL;

    /** The kind the service named, or one inferred from the HTTP status when it named none. */
    static Kind of(String name, int status) {
      for (Kind k : values()) {
        if (k.name().equals(name)) {
          return k;
        }
      }
      return status == 0 || status == 503 ? TRANSIENT : status >= 500 ? INTERNAL : USER;
    }
  }

  private final int status;
  private final String code;
  private final Kind kind;

  public TesseraClientException(int status, String code, Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.code = code;
    this.kind = kind;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Kind kind() {
    return kind;
  }

  /** Whether retrying later may succeed. */
  public boolean transientFailure() {
    return kind == Kind.TRANSIENT;
  }

  /** The typed exception for an error the service answered (or {@code status} 0: none came). */
  public static TesseraClientException of(int status, String code, Kind kind, String message, Throwable cause) {
    if (kind == Kind.TRANSIENT) {
      return new ServiceUnavailableException(status, code, message, cause);
    }
    // by the service's code; by the status for answers without one (a proxy's)
    if (code.equals("NOT_FOUND") || (status == 404 && code.startsWith("HTTP_"))) {
      return new FeatureNotFoundException(status, code, message);
    }
    if (code.equals("UNAUTHENTICATED") || code.equals("FORBIDDEN") || status == 401 || status == 403) {
      return new AccessDeniedException(status, code, message);
    }
    return kind == Kind.USER ? new InvalidRequestException(status, code, message) : new TesseraClientException(status, code, kind, message, cause);
  }

  /** An unknown feature set or feature (404). */
  public static final class FeatureNotFoundException extends TesseraClientException {
    public FeatureNotFoundException(int status, String code, String message) {
      super(status, code, Kind.USER, message, null);
    }
  }

  /** No or an unknown API key (401), or a consumer the contract does not list (403). */
  public static final class AccessDeniedException extends TesseraClientException {
    public AccessDeniedException(int status, String code, String message) {
      super(status, code, Kind.USER, message, null);
    }
  }

  /** A request the service refused: malformed (400), too large (413), or otherwise the caller's to fix. */
  public static final class InvalidRequestException extends TesseraClientException {
    public InvalidRequestException(int status, String code, String message) {
      super(status, code, Kind.USER, message, null);
    }
  }

  /** Overloaded, not ready, unreachable or failing transiently, still after the retries. */
  public static final class ServiceUnavailableException extends TesseraClientException {
    public ServiceUnavailableException(int status, String code, String message, Throwable cause) {
      super(status, code, Kind.TRANSIENT, message, cause);
    }
  }
}
