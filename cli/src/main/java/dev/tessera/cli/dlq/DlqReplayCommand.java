package dev.tessera.cli.dlq;

import dev.tessera.cli.CliContext;
import dev.tessera.cli.TesseraCommand;
import dev.tessera.cli.backfill.BackfillCommand;
import dev.tessera.cli.up.UpHome;
import dev.tessera.config.OfflineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.ingest.backfill.Backfill;
import dev.tessera.ingest.backfill.BackfillResult;
import dev.tessera.ingest.dlq.DlqReplay;
import dev.tessera.ingest.dlq.DlqReplay.Item;
import dev.tessera.ingest.dlq.DlqReplay.Plan;
import dev.tessera.ingest.dlq.DlqReplay.Route;
import dev.tessera.kafka.DeadLetters.DeadLetter;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.EventTables;
import dev.tessera.offline.table.FeatureTables;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import org.apache.iceberg.catalog.Catalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tessera dlq replay}: the selected dead letters validated again with today's contract;
 * accepted ones go back into their source topic (within the lateness bound) or are counted by a
 * backfill of the events archive (older); the rest stay, with their new reason. See {@link
 * DlqReplay}.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Validates the selected rejected events again with today's contract. Accepted events within the lateness bound go back",
        "into their source topic (the stream counts each once); older ones are counted by a backfill from the events archive, which",
        "needs the stream stopped (--savepoint); without it they wait, and `tessera up --backfill` (or a replay with --savepoint)",
        "runs it. Events still rejected stay in the DLQ with their new reason. Replaying twice changes nothing.",
        "  tessera dlq replay --feature-set customer_activity --dry-run",
        "  tessera dlq replay --feature-set customer_activity --reason quality_rule"})
public final class DlqReplayCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DlqCommand.Selection selection;

  @Option(names = "--dry-run", description = "Print what would be replayed live, backfilled and still rejected; change nothing.")
  boolean dryRun;

  @Option(names = "--savepoint", paramLabel = "<dir>",
      description = {"Savepoint the stream was stopped with: the backfill runs now, and prints how to resume the stream with its state.",
          "Without it, events that need a backfill wait for one (`tessera up --backfill`, or a replay with --savepoint)."})
  Path savepoint;

  @Option(names = "--engine", defaultValue = "local", paramLabel = "local|flink", description = "Where the backfill runs (default: ${DEFAULT-VALUE}).")
  String engine;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = CliContext.of(spec);
    TesseraConfig config = ctx.config();
    ContractRegistry registry = ctx.contracts(null);
    Backfill.Engine.parse(engine, "--engine");
    List<DeadLetter> letters = selection.read(spec, registry);
    Map<String, String> markers = selection.markers(spec, registry);
    dev.tessera.kafka.KafkaClients bootstrap = selection.bootstrap(spec);
    PrintWriter out = spec.commandLine().getOut();
    Map<FeatureSetContract, List<DeadLetter>> byContract = new LinkedHashMap<>();
    List<DeadLetter> unknown = new ArrayList<>();
    for (DeadLetter d : letters) {
      Optional<FeatureSetContract> c = contract(registry, d);
      if (c.isPresent()) {
        byContract.computeIfAbsent(c.get(), k -> new ArrayList<>()).add(d);
      } else {
        unknown.add(d);
      }
    }
    out.printf("%s%s: %,d events selected%s%n", selection.dlqTopic(registry), dryRun ? " (dry run: nothing is changed)" : "", letters.size(),
        unknown.isEmpty() ? "" : String.format(", %,d of contracts not in %s (left alone)", unknown.size(), "the contracts directory"));
    TesseraCommand root = (TesseraCommand) spec.root().userObject();
    UpHome home = new UpHome(root.home(), config);
    for (var e : byContract.entrySet()) {
      FeatureSetContract contract = e.getKey();
      Plan plan;
      try (Opened opened = new Opened(Catalogs.open(config))) {
        String namespace = config.get(OfflineOptions.NAMESPACE);
        var table = new FeatureTables(opened.catalog(), namespace).find(contract);
        plan = DlqReplay.plan(bootstrap, contract, e.getValue(), markers, table.map(DlqReplay::backfills).orElse(List.of()));
        print(out, plan);
        EventTables archives = new EventTables(opened.catalog(), namespace);
        if (!plan.route(Route.BACKFILL).isEmpty()) {
          if (dryRun) {
            var archive = archives.find(contract.source().topic());
            int missing = archive.isEmpty() ? plan.route(Route.BACKFILL).size() : DlqReplay.missingFromArchive(archive.get(), plan).size();
            out.printf("  archive   %,d of the backfill events not in the events archive (it was off when they were rejected): the"
                + " replay appends them%n", missing);
          } else {
            int appended = DlqReplay.archiveMissing(archives.ensure(contract.source().topic(), contract.source().schema()), plan);
            out.printf("  archive   %,d of the backfill events appended to the events archive (it was off when they were rejected)%n",
                appended);
          }
        }
      }
      out.flush();
      if (dryRun) {
        continue;
      }
      // a backfill needs the stream stopped: only with the savepoint the user stopped it with
      LongFunction<BackfillResult> backfill = savepoint == null ? null : from -> {
        try {
          return BackfillCommand.backfill(config, home, contract, from, null, savepoint, true, null, true, engine, out);
        } catch (Exception ex) {
          throw ex instanceof RuntimeException r ? r : new IllegalStateException(ex.getMessage(), ex);
        }
      };
      DlqReplay.Outcome o = DlqReplay.execute(bootstrap, plan, backfill, line -> out.println("replay " + contract.name() + ": " + line));
      out.printf("replay %s: %,d back into %s, %,d counted by the backfill, %,d waiting for a backfill, %,d still rejected (%,d with a new"
          + " reason), %,d replayed before%n", contract.id(), o.live(), contract.source().topic(), o.backfilled(), o.waiting(), o.rejected(),
          o.reasonsChanged(), o.done());
      if (o.waiting() > 0) {
        out.println("replay " + contract.name() + ": " + DlqReplay.waitingHint(plan));
      }
      out.flush();
    }
    out.flush();
    return 0;
  }

  /** The contract that rejected a letter: its major in the registry, else the newest. */
  static Optional<FeatureSetContract> contract(ContractRegistry registry, DeadLetter d) {
    try {
      int major = Integer.parseInt(d.version().substring(0, d.version().indexOf('.')));
      return registry.find(d.contract(), major).or(() -> registry.find(d.contract()));
    } catch (RuntimeException noVersion) {
      return registry.find(d.contract());
    }
  }

  /** The plan, as {@code --dry-run} prints it (and a real replay before it acts). */
  static void print(PrintWriter out, Plan plan) {
    FeatureSetContract c = plan.contract();
    out.printf("%n%s, validated again with %s:%n", c.name(), c.id());
    out.printf("  live      %,6d  within the lateness bound: back into %s%n", plan.route(Route.LIVE).size(), c.source().topic());
    Long from = plan.backfillFrom();
    out.printf("  backfill  %,6d  older: counted by a backfill from the events archive%s%n", plan.route(Route.BACKFILL).size(),
        from == null ? "" : String.format(" (%,d keys, event times %s .. %s; rows recomputed from %s on)", plan.backfillKeys().size(),
            Backfill.time(from), Backfill.time(plan.backfillTo()), Backfill.time(from)));
    out.printf("  rejected  %,6d  still rejected: stay in the DLQ%n", plan.route(Route.REJECTED).size());
    Map<String, Integer> reasons = new TreeMap<>();
    for (Item i : plan.route(Route.REJECTED)) {
      String detail = i.detail().length() > 90 ? i.detail().substring(0, 87) + "..." : i.detail();
      reasons.merge(i.reason() + (i.reason().equals(i.letter().reason()) ? "" : " (was " + i.letter().reason() + ")") + ": " + detail, 1,
          Integer::sum);
    }
    reasons.entrySet().stream().limit(10).forEach(r -> out.printf("            %,6d  %s%n", r.getValue(), r.getKey()));
    if (reasons.size() > 10) {
      out.printf("            ... %,d more reasons and details%n", reasons.size() - 10);
    }
    out.printf("  done      %,6d  replayed before%n", plan.route(Route.DONE).size());
    out.printf("  horizons  %s%n", plan.horizons().isEmpty() ? "(the source topic is empty)" : describe(plan.horizons()));
    out.flush();
  }

  private static String describe(Map<Integer, Long> horizons) {
    List<String> parts = new ArrayList<>();
    horizons.forEach((p, t) -> parts.add("partition " + p + " after " + Backfill.time(t)));
    return String.join(", ", parts);
  }

  /** A catalog closed after use (JDBC catalogs hold a connection pool). */
  private record Opened(Catalog catalog) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }
}
