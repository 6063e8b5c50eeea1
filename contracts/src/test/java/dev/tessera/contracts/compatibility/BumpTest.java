package dev.tessera.contracts.compatibility;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.model.SemVer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BumpTest {
  @ParameterizedTest(name = "{0} -> {1} declares {2}")
  @CsvSource({
    "1.0.0, 1.0.0, NONE",
    "1.0.0, 1.0.1, PATCH",
    "1.0.0, 1.1.0, MINOR",
    "1.4.2, 2.0.0, MAJOR",
    "1.0.0-rc.1, 1.0.0, PATCH",
    "1.2.0, 1.1.9, BACKWARDS",
  })
  void declaredBump(String from, String to, String expected) {
    Bump declared = Bump.declared(SemVer.parse(from), SemVer.parse(to));
    assertThat(declared == null ? "BACKWARDS" : declared.name()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1} covers {2}: {3}")
  @CsvSource({
    "1.0.0, 1.1.0, MAJOR, false",
    "1.0.0, 2.0.0, MAJOR, true",
    "1.0.0, 1.0.1, MINOR, false",
    "1.0.0, 1.1.0, MINOR, true",
    "1.0.0, 1.0.0, PATCH, false",
    "1.0.0, 1.0.0, NONE, true",
    "0.3.0, 0.4.0, MAJOR, true",
    "0.3.0, 0.3.1, MAJOR, false",
    "0.3.0, 0.3.1, MINOR, true",
    "0.3.0, 0.3.0, PATCH, false",
    "0.9.0, 1.0.0, MAJOR, true",
  })
  void satisfies(String from, String to, Bump required, boolean expected) {
    SemVer a = SemVer.parse(from);
    SemVer b = SemVer.parse(to);
    assertThat(Bump.satisfies(a, b, Bump.declared(a, b), required)).isEqualTo(expected);
  }
}
