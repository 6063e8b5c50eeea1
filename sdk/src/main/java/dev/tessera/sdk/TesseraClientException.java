package dev.tessera.sdk;

/**
 * A failed call to the Tessera online service. {@link #status()} is the HTTP status (0 when no
 * answer came), {@link #code()} the service's error code (e.g. {@code NOT_FOUND}); subclasses say
 * what the caller can do about it.
 */
public class TesseraClientException extends RuntimeException {
  private final int status;
  private final String code;

  public TesseraClientException(int status, String code, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** Whether retrying later may succeed (503, or no answer at all). */
  public boolean transientFailure() {
    return status == 503 || status == 0;
  }

  /** An unknown feature set or feature (404). */
  public static final class FeatureNotFoundException extends TesseraClientException {
    public FeatureNotFoundException(int status, String code, String message) {
      super(status, code, message, null);
    }
  }

  /** No or an unknown API key (401), or a consumer the contract does not list (403). */
  public static final class AccessDeniedException extends TesseraClientException {
    public AccessDeniedException(int status, String code, String message) {
      super(status, code, message, null);
    }
  }

  /** A request the service refused as malformed (400) or too large (413). */
  public static final class InvalidRequestException extends TesseraClientException {
    public InvalidRequestException(int status, String code, String message) {
      super(status, code, message, null);
    }
  }

  /** Overloaded, not ready, or unreachable, still after the retries. */
  public static final class ServiceUnavailableException extends TesseraClientException {
    public ServiceUnavailableException(int status, String code, String message, Throwable cause) {
      super(status, code, message, cause);
    }
  }
}
