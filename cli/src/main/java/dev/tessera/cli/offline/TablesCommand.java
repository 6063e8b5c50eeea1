package dev.tessera.cli.offline;

import dev.tessera.cli.CliContext;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.FeatureTables;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera offline tables}: creates or evolves the table of every contract and lists them. */
@Command(name = "tables", description = "Create missing feature tables, evolve them to the contracts' minor versions, and list them.")
public final class TablesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--contracts", paramLabel = "<dir>", description = "Contracts directory (default: tessera.contracts.dir).")
  Path contracts;

  @Override
  public Integer call() {
    CliContext ctx = CliContext.of(spec);
    FeatureTables tables = new FeatureTables(Catalogs.open(ctx.config()), ctx.config().get(OfflineOptions.NAMESPACE));
    PrintWriter out = spec.commandLine().getOut();
    for (FeatureSetContract c : ctx.contracts(contracts).all()) {
      Table t = tables.ensure(c);
      Snapshot s = t.currentSnapshot();
      out.printf("%-45s %-10s snapshot %-20s records %s%n", tables.identifier(c), c.version(),
          s == null ? "-" : s.snapshotId(), s == null ? "0" : s.summary().getOrDefault("total-records", "?"));
    }
    out.flush();
    return 0;
  }
}
