package dev.tessera.cli.offline;

import dev.tessera.cli.CliContext;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.history.FeatureHistory;
import dev.tessera.offline.table.FeatureTables;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera offline history}: the offline rows of one key. */
@Command(name = "history", description = {"Print the offline rows of one entity key, oldest first.",
    "  tessera offline history --feature-set customer_activity --key customer_id=c-1 --from 2026-11-01T00:00:00Z"})
public final class HistoryCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--feature-set", required = true, paramLabel = "<fs>") String featureSet;

  @Option(names = "--key", required = true, paramLabel = "<key>=<value>", description = "Each entity key column (repeat for composite keys).")
  Map<String, String> key;

  @Option(names = "--from", paramLabel = "<time>", description = "Epoch millis or ISO-8601 instant (inclusive).") String from;

  @Option(names = "--to", paramLabel = "<time>", description = "Epoch millis or ISO-8601 instant (inclusive).") String to;

  @Option(names = "--limit", defaultValue = "100", description = "Print at most the last N rows (default: ${DEFAULT-VALUE}).") int limit;

  @Option(names = "--contracts", paramLabel = "<dir>") Path contracts;

  @Override
  public Integer call() {
    CliContext ctx = CliContext.of(spec);
    FeatureSetContract contract = ctx.contracts(contracts).get(featureSet);
    FeatureTables tables = new FeatureTables(Catalogs.open(ctx.config()), ctx.config().get(OfflineOptions.NAMESPACE));
    List<Map<String, Object>> rows = new FeatureHistory(tables).rows(contract, key, time("--from", from), time("--to", to), limit);
    PrintWriter out = spec.commandLine().getOut();
    for (Map<String, Object> row : rows) {
      StringBuilder line = new StringBuilder(Instant.ofEpochMilli((Long) row.get(FeatureSetContract.EVENT_TIME_COLUMN)).toString());
      contract.featureNames().forEach(f -> line.append("  ").append(f).append('=').append(row.get(f)));
      out.println(line);
    }
    out.printf("%d row(s)%n", rows.size());
    out.flush();
    return 0;
  }

  private static Long time(String option, String text) {
    if (text == null) {
      return null;
    }
    try {
      return text.matches("-?\\d+") ? Long.parseLong(text) : Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot parse " + option + " '" + text + "': expected epoch millis or an ISO-8601 instant such as 2026-11-01T00:00:00Z");
    }
  }
}
