package dev.tessera.cli.offline;

import dev.tessera.cli.CliContext;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.snapshot.SnapshotRequest;
import dev.tessera.offline.snapshot.SnapshotResult;
import dev.tessera.offline.snapshot.SnapshotService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.Catalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera snapshot}: a point-in-time correct training snapshot, or a replay of one. */
@Command(
    name = "snapshot",
    description = {
      "Build a point-in-time correct training snapshot: for each spine row, the latest feature values",
      "at or before its time (within the TTL). Writes <out>.manifest.json beside the output.",
      "  tessera snapshot --spine spine.csv --time-column ts --features customer_activity:*,merchant_risk:txn_count_24h --out train.parquet",
      "  tessera snapshot --replay train.parquet.manifest.json --out train-again.parquet"
    })
public final class SnapshotCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--spine", paramLabel = "<file.csv|file.parquet|iceberg:ns.table>", description = "Keys, timestamps and labels.")
  String spine;

  @Option(names = "--time-column", paramLabel = "<col>", description = "Spine column with each row's as-of time (epoch millis or timestamp).")
  String timeColumn;

  @Option(names = "--features", split = ",", paramLabel = "<fs>:<feature>|<fs>:*", description = "Features to join.")
  List<String> features;

  @Option(names = "--out", required = true, paramLabel = "<file.parquet|file.csv|iceberg:ns.table>", description = "Where the rows go.")
  String out;

  @Option(names = "--replay", paramLabel = "<manifest>", description = "Rebuild the rows of an earlier snapshot by time travel.")
  Path replay;

  @Option(names = "--contracts", paramLabel = "<dir>", description = "Contracts directory (default: tessera.contracts.dir).")
  Path contracts;

  @Option(names = "--engine", paramLabel = "local|flink", converter = EngineConverter.class,
      description = "Where the join runs: local (in-process) or flink (a Flink batch job; default: tessera.snapshot.engine).")
  OfflineOptions.Engine engine;

  /** Accepts the engine in any case. */
  static final class EngineConverter implements picocli.CommandLine.ITypeConverter<OfflineOptions.Engine> {
    @Override
    public OfflineOptions.Engine convert(String value) {
      try {
        return OfflineOptions.Engine.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException("'" + value + "': expected local or flink");
      }
    }
  }

  @Override
  public Integer call() {
    CliContext ctx = CliContext.of(spec);
    OfflineOptions.Engine chosen = engine != null ? engine : ctx.config().get(OfflineOptions.ENGINE);
    PrintWriter err = spec.commandLine().getErr();
    Catalog catalog = Catalogs.open(ctx.config());
    SnapshotService service = new SnapshotService(ctx.config(), ctx.contracts(contracts), catalog, new ConsoleProgress(err)).withEngine(chosen);
    SnapshotResult result;
    if (replay != null) {
      if (spine != null || features != null) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot combine --replay with --spine or --features: a replay reads them from the manifest");
      }
      result = service.replay(replay, out);
    } else {
      if (spine == null || timeColumn == null || features == null) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
            "Cannot build a snapshot: expected --spine, --time-column and --features (or --replay <manifest>)");
      }
      result = service.create(new SnapshotRequest(spine, timeColumn, features, out));
    }
    PrintWriter o = spec.commandLine().getOut();
    o.printf("%,d rows -> %s%n", result.manifest().output().rows(), result.output());
    o.printf("manifest: %s (engine %s)%n", result.manifestPath(), result.manifest().engine());
    result.manifest().featureSets().forEach(r -> o.printf("  %s@%s  %s  snapshot %s%n", r.featureSet(), r.version(), r.table(), r.snapshotId()));
    o.flush();
    return 0;
  }
}
