package dev.tessera.cli.offline;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tessera offline}: the Iceberg tables of feature sets. */
@Command(name = "offline", description = "Offline feature tables: create/evolve them, and read a key's history.",
    subcommands = {TablesCommand.class, HistoryCommand.class})
public final class OfflineCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
