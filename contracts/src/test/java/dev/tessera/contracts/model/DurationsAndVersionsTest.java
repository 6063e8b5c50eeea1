package dev.tessera.contracts.model;

import dev.tessera.errors.TesseraException;
import dev.tessera.errors.ErrorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsAndVersionsTest {
  @ParameterizedTest
  @CsvSource({"250ms, 250", "30s, 30000", "1m, 60000", "24h, 86400000", "7d, 604800000", "0s, 0"})
  void parsesDurations(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    assertThat(Durations.parse(Durations.format(Duration.ofMillis(millis)))).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1 hour", "1h30m", "-5s", "5", "5w", "1.5h", ""})
  void rejectsBadDurations(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(TesseraException.class)
        .hasMessage("Cannot parse duration '" + text + "': expected <number><unit>, unit one of ms,s,m,h,d")
        .satisfies(e -> assertThat(((TesseraException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
  }

  @Test
  void formatsInTheLargestExactUnit() {
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(Durations.format(Duration.ofHours(48))).isEqualTo("2d");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.0.0", "0.3.12", "2.0.0-rc.1", "1.0.0+build.7", "10.20.30-alpha-1+x"})
  void parsesSemver(String text) {
    assertThat(SemVer.parse(text).toString()).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.0", "01.0.0", "1.0.0.0", "v1.0.0", "1.0.x"})
  void rejectsBadSemver(String text) {
    assertThatThrownBy(() -> SemVer.parse(text))
        .hasMessage("Cannot parse version '" + text + "': expected MAJOR.MINOR.PATCH, for example 1.0.0");
  }

  @Test
  void ordersVersions() {
    assertThat(SemVer.parse("1.0.0-rc.1")).isLessThan(SemVer.parse("1.0.0"));
    assertThat(SemVer.parse("1.10.0")).isGreaterThan(SemVer.parse("1.9.3"));
    assertThat(SemVer.parse("2.0.0")).isGreaterThan(SemVer.parse("1.99.99"));
  }

  @Test
  void problemsFormatLikeCompilerErrors() {
    assertThat(new Problem("c.yaml", 23, 7, "features[1].aggregate.window", "Cannot parse duration '1 hour'").format())
        .isEqualTo("c.yaml:23:7: features[1].aggregate.window: Cannot parse duration '1 hour'");
    assertThat(new Problem("c.yaml", 0, 0, "", "Cannot read contract: the file is empty").format())
        .isEqualTo("c.yaml: Cannot read contract: the file is empty");
  }
}
