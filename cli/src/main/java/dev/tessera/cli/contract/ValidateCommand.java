package dev.tessera.cli.contract;

import dev.tessera.contracts.model.Problem;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.registry.LoadResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera contract validate <file|dir>...}: reports every problem, exit 1 on any. */
@Command(
    name = "validate",
    description = "Validate contract files or directories; prints file:line:column: path: message per problem.")
public final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "<file|dir>", description = "Contract files or directories of them.")
  List<Path> paths;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    LoadResult result = ContractRegistry.load(paths);
    for (Problem p : result.problems()) {
      out.println(p.format());
    }
    if (result.ok()) {
      out.printf("%d contract(s) valid: %s%n", result.contracts().size(),
          String.join(", ", result.contracts().stream().map(c -> c.contract().id()).toList()));
      return 0;
    }
    long badFiles = result.problems().stream().map(Problem::file).distinct().count();
    out.printf("%d problem(s) in %d of %d file(s)%n", result.problems().size(), badFiles, Math.max(result.filesRead(), badFiles));
    return 1;
  }
}
