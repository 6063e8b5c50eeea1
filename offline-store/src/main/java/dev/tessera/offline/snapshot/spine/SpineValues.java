package dev.tessera.offline.snapshot.spine;

import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.errors.TesseraException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Reads spine times and keys into the join's canonical forms. */
public final class SpineValues {
  private SpineValues() {}

  /**
   * Epoch millis of a spine time: a number (epoch millis), a timestamp, or text that is epoch
   * millis, an ISO-8601 instant ({@code 2026-03-01T12:00:00Z}), a local date-time taken as UTC
   * ({@code 2026-03-01T12:00:00} or with a space) or a date (midnight UTC).
   */
  public static long toMillis(Object v, String column, long row) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    if (v instanceof OffsetDateTime t) {
      return t.toInstant().toEpochMilli();
    }
    if (v instanceof LocalDateTime t) {
      return t.toInstant(ZoneOffset.UTC).toEpochMilli();
    }
    if (v instanceof LocalDate d) {
      return d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }
    if (v == null) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "Cannot read spine row " + row + ": time column '" + column + "' is empty");
    }
    String s = v.toString().trim();
    try {
      if (s.matches("-?\\d+")) {
        return Long.parseLong(s);
      }
      if (s.endsWith("Z") || s.matches(".*[+-]\\d\\d:\\d\\d$")) {
        return OffsetDateTime.parse(s.replace(' ', 'T')).toInstant().toEpochMilli();
      }
      if (s.length() == 10) {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      }
      return LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read spine row " + row + ": time column '" + column
          + "' has '" + s + "': expected epoch milliseconds or ISO-8601 such as " + Instant.ofEpochSecond(1772366400));
    }
  }

  /** The canonical text of a key value of the given type; null when the value is null. */
  public static String keyPart(Object v, FeatureType type, String column, long row) {
    if (v == null) {
      return null;
    }
    if (type == FeatureType.STRING) {
      return v.toString();
    }
    if (v instanceof Number n) {
      return Long.toString(n.longValue());
    }
    String s = v.toString().trim();
    try {
      return Long.toString(Long.parseLong(s));
    } catch (NumberFormatException e) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "Cannot read spine row " + row + ": key column '" + column + "' has '" + s + "', expected an integer (" + type + ")");
    }
  }
}
