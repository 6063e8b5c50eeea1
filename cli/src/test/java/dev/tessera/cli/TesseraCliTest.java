package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in-process: exit codes and what it prints. */
class TesseraCliTest {
  static final Path EXAMPLES = Path.of("../contracts/examples");

  @TempDir Path tmp;

  static CliRun.Result run(String... args) {
    return CliRun.run(args);
  }

  Path copyExamples(String name) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    return dir;
  }

  static void edit(Path file, String from, String to) throws IOException {
    String text = Files.readString(file);
    assertThat(text).contains(from);
    Files.writeString(file, text.replace(from, to));
  }

  @Test
  void validateExamplesExitsZero() {
    CliRun.Result r = run("contract", "validate", EXAMPLES.toString());

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("4 contract(s) valid: customer_activity@1.0.0, customer_merchant@1.1.0, customer_profile@1.0.0, merchant_risk@2.0.0");
  }

  @Test
  void validateBrokenCopyExitsOneWithPositionedErrors() throws IOException {
    Path dir = copyExamples("broken");
    Path file = dir.resolve("customer_activity.yaml");
    edit(file, "window: 24h}\n  - name: amount_avg_7d", "window: 1 hour}\n  - name: amount_avg_7d");
    edit(file, "windowHop: 1m", "windowhop: 1m");

    CliRun.Result r = run("contract", "validate", dir.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out().lines().toList()).containsExactly(
        file + ":23:1: windowhop: Unknown key 'windowhop'; did you mean 'windowHop'? (allowed here: apiVersion, kind, name, version, status, sunset, replacement, description, owner, tags, entity, source, windowHop, ttl, features, quality, sla, consumers)",
        file + ":33:55: features[1].aggregate.window: Cannot parse duration '1 hour': expected <number><unit>, unit one of ms,s,m,h,d",
        "2 problem(s) in 1 of 4 file(s)");
  }

  @Test
  void validateSeveralFiles() {
    CliRun.Result r = run("contract", "validate", EXAMPLES.resolve("customer_activity.yaml").toString(), EXAMPLES.resolve("merchant_risk.yaml").toString());

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("2 contract(s) valid");
  }

  @Test
  void validateMissingPathExitsOne() {
    CliRun.Result r = run("contract", "validate", tmp.resolve("nope").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("nope: Cannot read contracts: no such file or directory");
  }

  @Test
  void diffAsJson() throws Exception {
    Path dir = copyExamples("new");
    Path changed = dir.resolve("customer_activity.yaml");
    edit(changed, "ttl: 30d", "ttl: 7d");
    edit(changed, "version: 1.0.0", "version: 2.0.0");

    CliRun.Result r = run("contract", "diff", EXAMPLES.resolve("customer_activity.yaml").toString(), changed.toString(), "--format", "json");

    assertThat(r.exit()).isZero();
    var json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("requiredBump").asText()).isEqualTo("MAJOR");
    assertThat(json.get("changes").get(0).get("change").asText()).isEqualTo("ttl-shortened");
  }

  @Test
  void diffOfAnInvalidContractExitsOneWithProblems() throws IOException {
    Path dir = copyExamples("bad");
    Path bad = dir.resolve("customer_activity.yaml");
    edit(bad, "version: 1.0.0", "version: 1.0");

    CliRun.Result r = run("contract", "diff", EXAMPLES.resolve("customer_activity.yaml").toString(), bad.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains(bad + ":4:10: version: Cannot parse version '1.0'");
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void checkPrintsMarkdownAndFailsOnInsufficientBump() throws IOException {
    Path head = copyExamples("head");
    edit(head.resolve("customer_activity.yaml"), "ttl: 30d", "ttl: 7d");
    Path report = tmp.resolve("report.md");

    CliRun.Result r = run("contract", "check", "--base", EXAMPLES.toString(), "--head", head.toString(), "--output", report.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).startsWith("## Tessera contract check: ❌ failed").contains("Consumers to notify");
    assertThat(Files.readString(report)).isEqualTo(r.out());
  }

  @Test
  void checkPassesOnUnchangedContracts() {
    CliRun.Result r = run("contract", "check", "--base", EXAMPLES.toString(), "--head", EXAMPLES.toString(), "--format", "text");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).endsWith("contract check passed\n");
  }

  @Test
  void schemaPrintsTheJsonSchema() throws Exception {
    CliRun.Result r = run("contract", "schema");

    assertThat(r.exit()).isZero();
    assertThat(new ObjectMapper().readTree(r.out()).get("title").asText()).contains("tessera/v1");
  }

  @Test
  void usageErrorsExitTwoWithoutStackTraces() {
    CliRun.Result badFormat = run("contract", "diff", "a.yaml", "b.yaml", "--format", "yaml");
    assertThat(badFormat.exit()).isEqualTo(2);
    assertThat(badFormat.err()).contains("'yaml': expected text, json or markdown").doesNotContain("\tat ");

    CliRun.Result unknown = run("contract", "valdate");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("valdate");
  }

  @Test
  void homeDefaultsToDotTesseraAndIsInherited() {
    var cli = new picocli.CommandLine(new TesseraCommand());
    var parsed = cli.parseArgs("contract", "validate", "--home", "/var/tessera", "x.yaml");
    TesseraCommand root = cli.getCommand();
    assertThat(root.home()).isEqualTo(Path.of("/var/tessera"));
    assertThat((Object) parsed.subcommand().subcommand().matchedOptionValue("--home", (Path) null)).isEqualTo(Path.of("/var/tessera"));

    var fresh = new picocli.CommandLine(new TesseraCommand());
    fresh.parseArgs("contract", "validate", "x.yaml");
    Path expected = Path.of(System.getenv().getOrDefault("TESSERA_HOME", ".tessera"));
    assertThat(((TesseraCommand) fresh.getCommand()).home()).isEqualTo(expected);
  }
}
