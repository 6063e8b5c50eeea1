package dev.tessera.errors;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one unchecked exception root of Tessera. Messages read "Cannot action: reason". Module
 * boundaries (the CLI, the REST layer) turn anything else into one with {@link #wrap}.
 */
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

  /** An I/O failure (transient: a full disk, an unreachable store): {@code "<message>: <cause>"}. */
  public static TesseraException io(String message, IOException cause) {
    return new TesseraException(ErrorCode.IO_ERROR, message + ": " + describe(cause), cause);
  }

  /**
   * {@code e} as a Tessera error: itself; I/O failures as {@code IO_ERROR}; an interruption as
   * {@code UNAVAILABLE}; anything else, a bug, as {@code INTERNAL}.
   */
  public static TesseraException wrap(Throwable e) {
    if (e instanceof TesseraException t) {
      return t;
    }
    if (e instanceof UncheckedIOException u) {
      return new TesseraException(ErrorCode.IO_ERROR, describe(u.getCause()), e);
    }
    if (e instanceof IOException io) {
      return new TesseraException(ErrorCode.IO_ERROR, describe(io), e);
    }
    if (e instanceof InterruptedException) {
      return new TesseraException(ErrorCode.UNAVAILABLE, "Interrupted", e);
    }
    return new TesseraException(ErrorCode.INTERNAL, e.toString(), e);
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e instanceof java.nio.file.NoSuchFileException ? "no such file " + m
        : e instanceof java.nio.file.AccessDeniedException ? "access denied to " + m
        : e instanceof java.nio.file.FileSystemException ? m
        : m == null ? e.getClass().getSimpleName() : m;
  }
}
