package dev.tessera.cli.contract;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.compatibility.CompatibilityChecker;
import dev.tessera.contracts.compatibility.ContractDiff;
import dev.tessera.contracts.compatibility.DiffRenderer;
import dev.tessera.contracts.compatibility.ReportFormat;
import dev.tessera.contracts.registry.ContractRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera contract diff <old> <new>}: each change with the semver bump it requires. */
@Command(
    name = "diff",
    description = "List the changes between two versions of a contract and the semver bump each requires.")
public final class DiffCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "<old>", description = "The old contract file.")
  Path oldFile;

  @Parameters(index = "1", paramLabel = "<new>", description = "The new contract file.")
  Path newFile;

  @Option(names = "--format", defaultValue = "text", converter = FormatConverter.class,
      description = "text, json or markdown (default: ${DEFAULT-VALUE}).")
  ReportFormat format;

  @Override
  public Integer call() {
    FeatureSetContract oldContract = ContractRegistry.loadFile(oldFile);
    FeatureSetContract newContract = ContractRegistry.loadFile(newFile);
    ContractDiff diff = new CompatibilityChecker().diff(oldContract, newContract);
    spec.commandLine().getOut().print(DiffRenderer.render(diff, format));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
