package dev.tessera.ingest.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.kafka.DeadLetters.DeadLetter;
import dev.tessera.testkit.ExampleContracts;
import org.junit.jupiter.api.Test;

/**
 * What a replay takes from a dead letter: a copy an earlier replay wrote back (rejected again, as
 * late) stands for its original, where the events archive keeps it; and how far past the horizon
 * an event must be to go back live.
 */
class DlqReplayTest {
  static DeadLetter letter(long sourceOffset, String replayOf) {
    return new DeadLetter(0, 7, 1L, "customer_activity", "1.0.0", "late", "d", "payments.transactions", 1, sourceOffset, new byte[0], replayOf);
  }

  @Test
  void aCopyStandsForItsOriginal() {
    assertThat(DlqReplay.originalOffset(letter(900, ""))).isEqualTo(900);
    assertThat(DlqReplay.originalOffset(letter(900, "1/42"))).as("the archive keeps the copy under its original's position").isEqualTo(42);
    assertThat(DlqReplay.originalOffset(letter(900, "1/x"))).as("a header not written by a replay").isEqualTo(900);
  }

  @Test
  void theLiveMarginIsATenthOfTheLatenessBound() {
    assertThat(DlqReplay.liveMargin(dev.tessera.contracts.registry.ContractRegistry.fromDirectory(ExampleContracts.EXAMPLES).get("customer_activity"))).as("allowedLateness 10m").isEqualTo(60_000);
  }
}
