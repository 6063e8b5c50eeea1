package dev.tessera.cli.serve;

import dev.tessera.online.launch.ServiceProcess;
import dev.tessera.cli.CliContext;
import dev.tessera.cli.TesseraCommand;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tessera serve}: runs the online feature service in the foreground, on the config and
 * home of the CLI (checked first, so a bad key fails here with its did-you-mean). Ctrl-C stops
 * it.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Runs the online feature service (REST JSON and Arrow, health, metrics) in the foreground.",
        "Store, Kafka, API keys: the tessera.online.* and tessera.kafka.* keys of the config (docs/online.md)."})
public final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() throws Exception {
    CliContext.of(spec); // validates the config file: unknown keys, bad values
    TesseraCommand root = (TesseraCommand) spec.root().userObject();
    Process p = ServiceProcess.start(ServiceProcess.command(root.home(), root.configFile(), port, Map.of()), true, null);
    return Foreground.run(p);
  }
}
