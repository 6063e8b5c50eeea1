package dev.tessera.contracts.model;

import dev.tessera.errors.TesseraException;
import dev.tessera.errors.ErrorCode;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The contract duration syntax: {@code <n>ms|s|m|h|d}, for example {@code 30s}, {@code 7d}. */
public final class Durations {
  private static final Pattern SYNTAX = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
  public static final String EXPECTED = "expected <number><unit>, unit one of ms,s,m,h,d";

  private Durations() {}

  /** Parses a duration, or returns empty if the text does not follow the syntax. */
  public static Optional<Duration> tryParse(String text) {
    Matcher m = SYNTAX.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    return Optional.of(
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          case "d" -> Duration.ofDays(n);
          default -> throw new IllegalStateException("unit " + m.group(2));
        });
  }

  public static Duration parse(String text) {
    return tryParse(text)
        .orElseThrow(
            () ->
                new TesseraException(
                    ErrorCode.INVALID_ARGUMENT,
                    "Cannot parse duration '" + text + "': " + EXPECTED));
  }

  /** Formats in the largest unit that divides the duration exactly: 3600000 ms gives {@code 1h}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms % sizes[i] == 0) {
        return (ms / sizes[i]) + units[i];
      }
    }
    return ms + "ms";
  }
}
