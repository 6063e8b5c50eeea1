package dev.tessera.cli.up;

import dev.tessera.cli.CliContext;
import dev.tessera.cli.TesseraCommand;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera up}: the local stack in the foreground; Ctrl-C stops it cleanly. */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = {"Starts the whole platform locally: Kafka (KRaft), the ingest jobs of every contract (Flink MiniCluster),",
        "the Iceberg catalog and warehouse, online-serving and an event generator. State lives in the Tessera home;",
        "a second `up` resumes from it. Ctrl-C stops everything."})
public final class UpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--contracts", description = "Contracts to serve (default: tessera.contracts.dir, i.e. contracts/examples).")
  Path contracts;

  @Option(names = "--port", defaultValue = "8080", description = "Port of the online API (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--rate", defaultValue = "20", description = "Generated events per second over all source topics; 0: none (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--entities", defaultValue = "1000", description = "Distinct customers and merchants the generator uses (default: ${DEFAULT-VALUE}).")
  int entities;

  @Option(names = "--backfill", description = "Before resuming, backfill every feature set whose contract added features"
      + " since its savepoint, or whose `tessera dlq replay` left events waiting for a backfill (from the events archive: offline rows,"
      + " window state, latest online values).")
  boolean backfill;

  @Option(names = "--history", defaultValue = "2d", description = "On a first start (empty topics), first send this much past events"
      + " (the live rate over the span, at most 60,000), in event-time order, so offline tables and snapshots have data at once;"
      + " 0 turns it off (default: ${DEFAULT-VALUE}).")
  String history;

  @Option(names = "--models", description = "Also serve every model config (kind: ModelService) in this directory, each with the model"
      + " service template on the ports after the online API's + 10 (docs/model-serving.md).")
  Path models;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = CliContext.of(spec);
    TesseraCommand root = (TesseraCommand) spec.root().userObject();
    Path dir = contracts != null ? contracts : Path.of(ctx.config().get(dev.tessera.config.CoreOptions.CONTRACTS_DIR));
    var out = spec.commandLine().getOut();
    out.printf("tessera up: home %s, contracts %s%n", root.home().toAbsolutePath().normalize(), dir);
    out.flush();
    LocalStack.Options options = new LocalStack.Options(root.home(), root.configFile(), Map.of(), dir, port, rate, entities,
        System.getenv("TESSERA_API_KEY"), backfill, models, history.equals("0") ? java.time.Duration.ZERO
            : dev.tessera.contracts.model.Durations.parse(history));
    LocalStack stack = LocalStack.start(options, line -> {
      out.println(line);
      out.flush();
    });
    CountDownLatch stopped = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable stop = () -> {
      if (!stopping.compareAndSet(false, true)) {
        awaitQuietly(stopped); // stopping on another thread: let it finish
        return;
      }
      out.println();
      out.println("tessera up: stopping");
      out.flush();
      stack.close();
      out.println("tessera up: stopped; `./tessera up` again resumes from " + root.home());
      out.flush();
      stopped.countDown();
    };
    // Ctrl-C and SIGTERM stop the stack on this thread, before the JVM shuts down: during shutdown,
    // Flink's own hooks (blob server, I/O temp dirs) race the savepoint the stop takes
    java.util.concurrent.atomic.AtomicBoolean signalled = new java.util.concurrent.atomic.AtomicBoolean();
    for (String name : java.util.List.of("INT", "TERM")) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> signalled.set(true));
      } catch (IllegalArgumentException unsupported) {
        // not on this platform: the shutdown hook below stops the stack
      }
    }
    Thread hook = new Thread(stop, "tessera-up-shutdown"); // any other exit of the JVM
    Runtime.getRuntime().addShutdownHook(hook);
    printSummary(out, stack, dir);
    // watch the components; if one dies, say so and stop the rest
    long nextCheck = 0;
    while (true) {
      Thread.sleep(100);
      if (signalled.get()) {
        stop.run();
        return 0;
      }
      if (System.nanoTime() < nextCheck) {
        continue;
      }
      nextCheck = System.nanoTime() + 2_000_000_000L;
      var failure = stack.failure();
      if (failure.isPresent()) {
        out.println("tessera up: " + failure.get());
        out.flush();
        stop.run();
        return 1;
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(180, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void printSummary(java.io.PrintWriter out, LocalStack stack, Path contracts) {
    String key = stack.apiKeyValue();
    out.println();
    out.println("Tessera is up.");
    out.printf("  Kafka        %s%n", stack.bootstrapServers());
    out.printf("  Online API   %s   (OpenAPI %s/q/openapi, metrics %s/q/metrics)%n", stack.baseUrl(), stack.baseUrl(), stack.baseUrl());
    out.printf("  Catalog UI   %s/ui   (sign in with the API key below)%n", stack.baseUrl());
    out.printf("  Offline      %s, warehouse %s%n", stack.config().get(dev.tessera.config.OfflineOptions.CATALOG_URI),
        stack.config().get(dev.tessera.config.OfflineOptions.WAREHOUSE));
    for (String model : stack.modelUrls()) {
      out.printf("  Model        %s   (POST /v1/models/<name>/predict)%n", model);
    }
    out.printf("  Logs         %s%n", stack.config().home().resolve("up/logs"));
    out.printf("  API key      %s   (reads every feature set; set TESSERA_API_KEY to choose it)%n", key);
    out.println();
    out.println("Try:");
    out.printf("  curl -s -H 'X-API-Key: %s' '%s/v1/features/customer_activity?customer_id=c-1'%n", key, stack.baseUrl());
    out.printf("  ./tessera snapshot --spine %s --time-column ts --features 'customer_activity:*' --out /tmp/train.parquet%n", stack.sampleSpine());
    out.printf("  ./tessera contract check --base %s --head %s%n", contracts, contracts);
    out.println();
    out.println("Ctrl-C stops everything.");
    out.flush();
  }
}
