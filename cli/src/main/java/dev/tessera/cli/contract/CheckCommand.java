package dev.tessera.cli.contract;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.compatibility.CheckReport;
import dev.tessera.contracts.compatibility.ContractCheck;
import dev.tessera.contracts.compatibility.ReportFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera contract check --base <dir> --head <dir>}: the contract pull-request check. */
@Command(name = "check", description = "The contract PR check: compare base (main) and head (the PR) contract directories.%n"
    + "Fails when a version bump is smaller than required, a new contract does not start at 1.0.0 (or 0.x),%n"
    + "a contract with consumers is deleted without deprecation, or a head contract is invalid.")
public final class CheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--base", required = true, paramLabel = "<dir>", description = "Contracts of the base branch.")
  Path base;

  @Option(names = "--head", required = true, paramLabel = "<dir>", description = "Contracts of the PR.")
  Path head;

  @Option(names = "--format", defaultValue = "markdown", converter = FormatConverter.class,
      description = "markdown (a PR comment), text or json (default: ${DEFAULT-VALUE}).")
  ReportFormat format;

  @Option(names = "--output", paramLabel = "<file>", description = "Also write the report to this file.")
  Path output;

  @Override
  public Integer call() {
    CheckReport report = new ContractCheck().run(base, head);
    String rendered = report.render(format);
    spec.commandLine().getOut().print(rendered);
    spec.commandLine().getOut().flush();
    if (output != null) {
      try {
        Files.writeString(output, rendered);
      } catch (IOException e) {
        throw new TesseraException(ErrorCode.IO_ERROR, "Cannot write report to '" + output + "': " + e.getMessage(), e);
      }
    }
    return report.passed() ? 0 : 1;
  }
}
