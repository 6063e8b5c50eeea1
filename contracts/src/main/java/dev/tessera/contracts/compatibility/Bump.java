package dev.tessera.contracts.compatibility;

import dev.tessera.contracts.model.SemVer;

/** The semver bump a change requires, or a version change declares. Ordered from none to major. */
public enum Bump {
  NONE,
  PATCH,
  MINOR,
  MAJOR;

  public Bump max(Bump other) {
    return compareTo(other) >= 0 ? this : other;
  }

  /**
   * The bump declared by going from {@code from} to {@code to}; null when the version went
   * backwards. A pre-release-only change counts as a patch.
   */
  public static Bump declared(SemVer from, SemVer to) {
    if (to.compareTo(from) < 0) {
      return null;
    }
    if (to.major() != from.major()) {
      return MAJOR;
    }
    if (to.minor() != from.minor()) {
      return MINOR;
    }
    if (to.patch() != from.patch() || !to.preRelease().equals(from.preRelease())) {
      return PATCH;
    }
    return NONE;
  }

  /**
   * Whether {@code declared} covers {@code required}. Below 1.0.0 (semver's "anything may change"
   * range) a minor bump covers a breaking change and a patch bump covers an addition, the common
   * 0.x convention.
   */
  public static boolean satisfies(SemVer from, SemVer to, Bump declared, Bump required) {
    if (declared == null) {
      return false;
    }
    if (from.major() == 0 && to.major() == 0 && required != NONE) {
      Bump relaxed = required == MAJOR ? MINOR : required == MINOR ? PATCH : PATCH;
      return declared.compareTo(relaxed) >= 0;
    }
    return declared.compareTo(required) >= 0;
  }
}
