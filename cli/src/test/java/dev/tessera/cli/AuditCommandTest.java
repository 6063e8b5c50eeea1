package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.cli.audit.AuditCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An audit with nothing to compare says so and exits 3: it is not a pass. (Audits that compare: EndToEndIT.) */
class AuditCommandTest {
  static final Path EXAMPLES = Path.of("../contracts/examples").toAbsolutePath().normalize();

  @TempDir Path home;

  @Test
  void nothingToCompareIsSaidAndExitsThree() throws Exception {
    Path config = home.resolve("tessera.properties");
    Files.writeString(config, "tessera.contracts.dir=" + EXAMPLES + "\n");
    // no offline table yet: the online service is never asked (its URL does not answer)
    CliRun.Result none = CliRun.inHome(home, "--config", config.toString(), "audit", "--feature-set", "customer_activity",
        "--url", "http://127.0.0.1:1", "--api-key", "k");
    assertThat(none.exit()).as(none.out() + none.err()).isEqualTo(AuditCommand.NOTHING_TO_COMPARE);
    assertThat(none.out()).contains("audit customer_activity@1.0.0: 0 keys sampled of 0 offline keys")
        .contains("nothing to compare: there is no offline table features.customer_activity__v1 yet").contains("exit 3");
    // the table exists, without rows
    assertThat(CliRun.inHome(home, "--config", config.toString(), "offline", "tables", "--contracts", EXAMPLES.toString()).exit()).isZero();
    CliRun.Result empty = CliRun.inHome(home, "--config", config.toString(), "audit", "--feature-set", "customer_activity",
        "--url", "http://127.0.0.1:1", "--api-key", "k");
    assertThat(empty.exit()).isEqualTo(AuditCommand.NOTHING_TO_COMPARE);
    assertThat(empty.out()).contains("nothing to compare: the offline table features.customer_activity__v1 has no rows yet")
        .contains("allowedLateness, 10m").doesNotContain("no mismatch");
  }
}
