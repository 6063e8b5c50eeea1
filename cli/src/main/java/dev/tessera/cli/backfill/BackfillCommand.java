package dev.tessera.cli.backfill;

import dev.tessera.cli.CliContext;
import dev.tessera.cli.TesseraCommand;
import dev.tessera.cli.up.UpHome;
import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.ingest.backfill.Backfill;
import dev.tessera.ingest.backfill.BackfillResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera backfill}: a feature set's rows recomputed from its topic's events archive. */
@Command(name = "backfill", mixinStandardHelpOptions = true,
    description = {"Recomputes a feature set's rows from its source topic's events archive with today's contract (the stream's",
        "own validation, lateness and window code), replaces the offline rows of the range in one Iceberg snapshot, writes the",
        "window state into a new savepoint for the stream to resume from, and publishes each key's latest value to the changelog.",
        "Stop the stream first (Ctrl-C of tessera up saves a savepoint); or let `tessera up --backfill` do it all.",
        "  tessera backfill --feature-set customer_activity",
        "  tessera backfill --feature-set customer_activity --from 2026-11-01 --no-state     (offline rows only)"})
public final class BackfillCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--feature-set", required = true, paramLabel = "<name>", description = "The feature set to backfill: <name> (its newest active major) or <name>@<major>.")
  String featureSet;

  @Option(names = "--contracts", paramLabel = "<dir>", description = "Contracts directory (default: tessera.contracts.dir).")
  Path contracts;

  @Option(names = "--from", paramLabel = "<time>", description = "First event time to replace (ISO instant, date, or epoch ms; default: the archive's first event).")
  String from;

  @Option(names = "--to", paramLabel = "<time>", description = "Last event time to replace (default: as far as rows are final); only with --no-state.")
  String to;

  @Option(names = "--engine", defaultValue = "local", paramLabel = "local|flink",
      description = "Where the replay runs: in this process, or as a Flink batch job (tessera.flink.rest or a MiniCluster).")
  String engine;

  @Option(names = "--savepoint", paramLabel = "<dir>",
      description = "Savepoint or retained checkpoint of the stopped stream (default: the newest of tessera up in the home).")
  Path savepoint;

  @Option(names = "--bootstrap-out", paramLabel = "<file>",
      description = "Where the window state goes, for `tessera ingest --resume-from <savepoint> --bootstrap <file>` (default: <home>/up/backfills/...).")
  String bootstrapOut;

  @Option(names = "--no-state", description = "Only the offline rows and the changelog: leave the stream's state alone.")
  boolean noState;

  @Option(names = "--no-publish", description = "Do not publish the latest values to the changelog.")
  boolean noPublish;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = CliContext.of(spec);
    TesseraCommand root = (TesseraCommand) spec.root().userObject();
    TesseraConfig config = ctx.config();
    FeatureSetContract contract = ctx.contracts(contracts).get(featureSet);
    Backfill.Engine.parse(engine, "--engine");
    if (to != null && !noState) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "--to " + to
          + ": only with --no-state (with the stream's state, rows after the replay's cut are the stream's to write)");
    }
    UpHome home = new UpHome(root.home(), config);
    PrintWriter out = spec.commandLine().getOut();
    try (AutoCloseable lock = home.lock().orElseThrow(() -> new TesseraException(ErrorCode.UNAVAILABLE,
        "Cannot backfill " + featureSet + ": tessera up is running on " + root.home() + "; stop it (Ctrl-C) or restart it with `tessera up --backfill`"))) {
      Path resume = noState ? null : savepoint != null ? savepoint : home.latestCheckpoint().orElse(null);
      if (!noState && resume == null) {
        out.println("no savepoint of a stopped stream found (give --savepoint): backfilling the offline rows and the changelog only");
      }
      backfill(config, home, contract, time(this.from, "--from"), time(to, "--to"), resume, savepoint != null, bootstrapOut, !noPublish,
          engine, out);
      out.flush();
    }
    return 0;
  }

  /**
   * A backfill of {@code contract} with the stream stopped (the caller holds the home's lock):
   * with the window state for the stream to resume from {@code resume} (null: offline rows and
   * changelog only), the pending bootstrap recorded for the next {@code tessera up} unless the
   * savepoint was given explicitly; prints its progress and result to {@code out}.
   */
  public static BackfillResult backfill(TesseraConfig config, UpHome home, FeatureSetContract contract, Long from, Long to, Path resume,
      boolean explicitSavepoint, String bootstrapOut, boolean publish, String engine, PrintWriter out) throws Exception {
    String target = resume == null ? null : bootstrapOut != null ? bootstrapOut
        : home.backfills().resolve(contract.tableName() + "-" + System.currentTimeMillis() + ".state").toUri().toString();
    if (target != null && target.startsWith("file:")) {
      java.nio.file.Files.createDirectories(Path.of(java.net.URI.create(target)).getParent());
    }
    Backfill.Request request = new Backfill.Request(contract, from, to, target, publish);
    Path keepLatest = null;
    if (publish && resume != null && !explicitSavepoint && config.find(dev.tessera.config.CoreOptions.KAFKA_BOOTSTRAP_SERVERS).isEmpty()) {
      // the broker of tessera up is down while it is stopped: the next tessera up publishes them
      keepLatest = home.backfills().resolve(contract.tableName() + "-" + System.currentTimeMillis() + ".latest");
      java.nio.file.Files.createDirectories(keepLatest.getParent());
      request = new Backfill.Request(contract, request.from(), request.to(), target, false).withKeptLatest(keepLatest);
    }
    BackfillResult r = run(config, request, engine, line -> {
          out.println("backfill " + contract.name() + ": " + line);
          out.flush();
        });
    if (resume != null && !explicitSavepoint) {
      home.addPendingBootstrap(resume, contract.majorId(), target, keepLatest); // the next tessera up loads it
    }
    out.printf("backfill %s: done in %.1f s: %,d archived events (%,d duplicates), %,d accepted, rejected %s; %,d keys, %,d rows"
        + " replaced in snapshot %d; rows final up to %s; %,d latest values published%n", contract.id(), r.millis() / 1000.0,
        r.archived(), r.duplicates(), r.accepted(), r.rejected(), r.keys(), r.rows(), r.snapshotId(),
        Backfill.time(r.cut()), r.published());
    if (resume != null) {
      out.println(!explicitSavepoint ? "the next `tessera up` resumes from " + resume + " and loads the backfilled window state"
          + (keepLatest == null ? "" : ", and publishes the latest values")
          : "resume the stream with: tessera ingest --contract <file> --resume-from " + resume + " --bootstrap " + target);
    }
    return r;
  }

  /** Runs a backfill on the engine named (local or flink). */
  public static BackfillResult run(TesseraConfig config, Backfill.Request request, String engine, java.util.function.Consumer<String> progress) {
    return Backfill.run(config, request, Backfill.Engine.parse(engine, "--engine"), progress);
  }

  static Long time(String text, String option) {
    if (text == null) {
      return null;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException notMillis) {
      try {
        return Instant.parse(text).toEpochMilli();
      } catch (DateTimeParseException notInstant) {
        try {
          return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT, option + " '" + text
              + "': expected an ISO instant (2026-11-01T00:00:00Z), a date (2026-11-01) or epoch milliseconds");
        }
      }
    }
  }
}
