package dev.tessera.contracts.api;

import static java.util.Objects.requireNonNull;

/** The one unchecked exception root of Tessera. Messages read "Cannot action: reason". */
public class TesseraException extends RuntimeException {
  private final ErrorCode code;

  public TesseraException(ErrorCode code, String message) {
    super(message);
    this.code = requireNonNull(code, "code is null");
  }

  public TesseraException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = requireNonNull(code, "code is null");
  }

  public ErrorCode code() {
    return code;
  }
}
