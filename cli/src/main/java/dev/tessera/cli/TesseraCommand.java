package dev.tessera.cli;

import dev.tessera.cli.backfill.BackfillCommand;
import dev.tessera.cli.contract.ContractCommand;
import dev.tessera.cli.ingest.IngestCommand;
import dev.tessera.cli.offline.OfflineCommand;
import dev.tessera.cli.offline.SnapshotCommand;
import dev.tessera.cli.serve.ServeCommand;
import dev.tessera.cli.up.UpCommand;
import dev.tessera.cli.audit.AuditCommand;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The root {@code tessera} command. */
@Command(
    name = "tessera",
    mixinStandardHelpOptions = true,
    version = "tessera 0.1.0",
    description = "Tessera: a feature store with data contracts.",
    subcommands = {ContractCommand.class, IngestCommand.class, BackfillCommand.class, SnapshotCommand.class, OfflineCommand.class, ServeCommand.class, UpCommand.class, AuditCommand.class,
        dev.tessera.cli.dlq.DlqCommand.class, dev.tessera.cli.model.ModelCommand.class, dev.tessera.cli.deploy.DeployCommand.class})
public final class TesseraCommand implements Runnable {

  @Option(
      names = "--home",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:TESSERA_HOME:-.tessera}",
      description = "Where local state lives (env TESSERA_HOME; default: ${DEFAULT-VALUE}).")
  Path home;

  @Option(
      names = "--config",
      scope = ScopeType.INHERIT,
      description = "Config file of tessera.* keys (default: -Dtessera.config, env TESSERA_CONFIG, else <home>/tessera.properties if it exists).")
  Path config;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public Path home() {
    return home;
  }

  /** The config file given, or null. */
  public Path configFile() {
    return config;
  }
}
