package dev.tessera.contracts.model;

import dev.tessera.errors.TesseraException;
import dev.tessera.errors.ErrorCode;
import static java.util.Objects.requireNonNull;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A semantic version {@code MAJOR.MINOR.PATCH[-preRelease][+build]} (semver.org 2.0.0). */
public record SemVer(int major, int minor, int patch, String preRelease, String build)
    implements Comparable<SemVer>, java.io.Serializable {
  private static final Pattern SYNTAX =
      Pattern.compile(
          "(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})"
              + "(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?"
              + "(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?");
  public static final String EXPECTED = "expected MAJOR.MINOR.PATCH, for example 1.0.0";

  private static final Comparator<SemVer> ORDER =
      Comparator.comparingInt(SemVer::major)
          .thenComparingInt(SemVer::minor)
          .thenComparingInt(SemVer::patch)
          // a pre-release sorts before its release; build metadata does not order
          .thenComparing(v -> v.preRelease().isEmpty() ? "\uffff" : v.preRelease());

  public SemVer {
    requireNonNull(preRelease, "preRelease is null");
    requireNonNull(build, "build is null");
    if (major < 0 || minor < 0 || patch < 0) {
      throw new IllegalArgumentException(
          "Cannot create version " + major + "." + minor + "." + patch + ": parts must be >= 0");
    }
  }

  public static SemVer of(int major, int minor, int patch) {
    return new SemVer(major, minor, patch, "", "");
  }

  public static Optional<SemVer> tryParse(String text) {
    Matcher m = SYNTAX.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        new SemVer(
            Integer.parseInt(m.group(1)),
            Integer.parseInt(m.group(2)),
            Integer.parseInt(m.group(3)),
            m.group(4) == null ? "" : m.group(4),
            m.group(5) == null ? "" : m.group(5)));
  }

  public static SemVer parse(String text) {
    return tryParse(text)
        .orElseThrow(
            () ->
                new TesseraException(
                    ErrorCode.INVALID_ARGUMENT,
                    "Cannot parse version '" + text + "': " + SemVer.EXPECTED));
  }

  @Override
  public int compareTo(SemVer other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return major
        + "."
        + minor
        + "."
        + patch
        + (preRelease.isEmpty() ? "" : "-" + preRelease)
        + (build.isEmpty() ? "" : "+" + build);
  }
}
