package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Every error code through the CLI's one error handler: its kind decides the exit code. */
class ExitCodesTest {
  @Command(name = "fail")
  static final class Fail implements Callable<Integer> {
    @Parameters(index = "0") String what;

    @Override
    public Integer call() throws Exception {
      switch (what) {
        case "io" -> throw new UncheckedIOException(new IOException("No space left on device"));
        case "checked-io" -> throw new java.nio.file.NoSuchFileException("/data/spine.csv");
        case "bug" -> throw new IllegalStateException("a bug");
        default -> throw new TesseraException(ErrorCode.valueOf(what), "Cannot do it: because of " + what);
      }
    }
  }

  record Run(int exit, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
    cli.addSubcommand("fail", new Fail());
    // settings apply to the subcommands present when set: again, for the one added here
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setExecutionExceptionHandler(cli.getExecutionExceptionHandler());
    return new Run(cli.execute(args), err.toString());
  }

  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void everyCodeExitsByItsKind(ErrorCode code) {
    Run r = run("fail", code.name());
    int expected = switch (code.kind()) {
      case USER -> 1;
      case TRANSIENT -> 75;
      case INTERNAL -> 70;
    };
    assertThat(r.exit()).isEqualTo(expected);
    assertThat(r.err()).contains("Cannot do it: because of " + code.name()).doesNotContain("\tat ");
  }

  @Test
  void rawFailuresAreWrapped() {
    Run io = run("fail", "io");
    assertThat(io.exit()).isEqualTo(75);
    assertThat(io.err()).contains("tessera: No space left on device").contains("transient");
    Run missing = run("fail", "checked-io");
    assertThat(missing.exit()).isEqualTo(75);
    assertThat(missing.err()).contains("no such file /data/spine.csv");
    Run bug = run("fail", "bug");
    assertThat(bug.exit()).isEqualTo(70);
    assertThat(bug.err()).contains("tessera: internal error: java.lang.IllegalStateException: a bug", "TESSERA_DEBUG=1");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("no-such-command").exit()).isEqualTo(2);
  }
}
