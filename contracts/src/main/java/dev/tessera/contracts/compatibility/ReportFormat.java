package dev.tessera.contracts.compatibility;

import java.util.Locale;

/** Output formats of {@code contract diff} and {@code contract check}. */
public enum ReportFormat {
  TEXT,
  JSON,
  MARKDOWN;

  public static ReportFormat parse(String text) {
    return valueOf(text.toUpperCase(Locale.ROOT));
  }
}
