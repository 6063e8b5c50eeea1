package dev.tessera.cli.contract;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tessera contract}: validate contracts, classify changes, and run the PR check. */
@Command(
    name = "contract",
    description = "Validate contracts, diff two versions, and run the contract PR check.",
    subcommands = {ValidateCommand.class, DiffCommand.class, CheckCommand.class, SchemaCommand.class, UsageCommand.class,
        RetireCommand.class})
public final class ContractCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
