package dev.tessera.offline.snapshot.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.errors.TesseraException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rows reach the output in order on both paths, and a failing output stops the caller with its error. */
class BackgroundWriterTest {
  @ParameterizedTest(name = "background {0}")
  @ValueSource(booleans = {true, false})
  void writesEveryRowInOrder(boolean background) {
    List<Object[]> got = new ArrayList<>();
    try (BackgroundWriter w = new BackgroundWriter(got::add, background)) {
      for (int i = 0; i < 10_000; i++) {
        w.write(new Object[] {i});
      }
      w.finish();
    }
    assertThat(got).hasSize(10_000);
    for (int i = 0; i < got.size(); i++) {
      assertThat(got.get(i)[0]).isEqualTo(i);
    }
  }

  @ParameterizedTest(name = "background {0}")
  @ValueSource(booleans = {true, false})
  void aFailingOutputStopsTheCaller(boolean background) {
    assertThatThrownBy(() -> {
      try (BackgroundWriter w = new BackgroundWriter(row -> {
        if ((int) row[0] == 5_000) {
          throw new TesseraException(dev.tessera.errors.ErrorCode.IO_ERROR, "Cannot write: disk full");
        }
      }, background)) {
        for (int i = 0; i < 1_000_000; i++) {
          w.write(new Object[] {i});
        }
        w.finish();
      }
    }).isInstanceOf(TesseraException.class).hasMessage("Cannot write: disk full");
  }
}
