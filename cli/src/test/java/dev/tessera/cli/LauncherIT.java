package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code ./tessera} launcher as a user runs it, on the jar this build just packaged.
 * TESSERA_NO_BUILD keeps it from starting a nested Maven build.
 */
@Timeout(120)
class LauncherIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  record Result(int exit, String out) {}

  static Result launch(String... args) throws IOException, InterruptedException {
    var command = new java.util.ArrayList<>(List.of(ROOT.resolve("tessera").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
    pb.environment().put("TESSERA_NO_BUILD", "1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  @Test
  void validatesTheExamplesFromTheRepoRoot() throws Exception {
    Result r = launch("contract", "validate", "contracts/examples");

    assertThat(r.out()).contains("4 contract(s) valid");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).doesNotContain("SLF4J");
  }

  @Test
  void reportsErrorsWithExitOne() throws Exception {
    Result r = launch("contract", "validate", "does/not/exist.yaml");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("does/not/exist.yaml: Cannot read contracts: no such file or directory");
  }

  @Test
  void printsHelp() throws Exception {
    Result r = launch("--help");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Usage: tessera").contains("--home").contains("contract");
  }
}
