package dev.tessera.cli.contract;

import dev.tessera.cli.CliContext;
import dev.tessera.config.CoreOptions;
import dev.tessera.config.OfflineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.ContractStatus;
import dev.tessera.contracts.model.Durations;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.registry.LoadedContract;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.kafka.Topics;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.FeatureTables;
import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.OnlineStores;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.catalog.Catalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tessera contract retire <name>@<major>}: the end of a deprecated major. Refused before
 * its sunset, and while a consumer read it within the quiet period (from the usage the online
 * service keeps in the online store), naming who. Then: its online rows deleted, its changelog
 * topic deleted (now when Kafka is reachable, else by the next {@code tessera up}), its Iceberg
 * table kept (or dropped with {@code --drop-table}), and {@code status: retired} written into its
 * contract file, for the contract PR that records it. Nothing runs or serves a retired major;
 * reads of it answer 410 naming the replacement.
 */
@Command(name = "retire", mixinStandardHelpOptions = true,
    description = {"Retires a deprecated major after its sunset, once no consumer read it within the quiet period: deletes its online",
        "rows and changelog topic, keeps (or drops) its Iceberg table, and marks its contract file `status: retired` (commit it",
        "through a contract PR). Run it with the major's pipeline and the online service stopped (tessera up: Ctrl-C); the next",
        "tessera up runs and serves the other majors only, and answers 410 for this one.",
        "  tessera contract retire customer_activity@1",
        "  tessera contract retire customer_activity@1 --drop-table --quiet-period 14d"})
public final class RetireCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "<name>@<major>", description = "The major to retire.")
  String reference;

  @Option(names = "--contracts", paramLabel = "<dir>", description = "Contracts directory (default: tessera.contracts.dir).")
  Path contracts;

  @Option(names = "--quiet-period", paramLabel = "<duration>",
      description = "How long no consumer may have read the major (default: tessera.lifecycle.quiet-period, 7d).")
  String quietPeriod;

  @Option(names = "--drop-table", description = "Drop the major's Iceberg table too (default: keep it; training snapshots may still read it).")
  boolean dropTable;

  /** The clock for the sunset and the quiet period (tests set it). */
  public static Clock clock = Clock.systemUTC();

  @Override
  public Integer call() throws Exception {
    CliContext ctx = CliContext.of(spec);
    TesseraConfig config = ctx.config();
    ContractRegistry registry = ctx.contracts(contracts);
    int at = reference.lastIndexOf('@');
    if (at <= 0) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Retire '" + reference + "': name the major, <name>@<major> (majors of "
          + reference + ": " + registry.majors(reference).stream().map(FeatureSetContract::majorId).toList() + ")");
    }
    FeatureSetContract c = registry.get(reference);
    LoadedContract file = registry.loaded(c.name(), c.majorVersion()).orElseThrow();
    PrintWriter out = spec.commandLine().getOut();
    Instant now = clock.instant();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    if (c.status() != ContractStatus.RETIRED) {
      if (c.status() != ContractStatus.DEPRECATED || c.sunset() == null) {
        throw new TesseraException(ErrorCode.INCOMPATIBLE_CHANGE, "Cannot retire " + c.majorId() + ": it is " + c.status().yamlName()
            + (c.sunset() == null ? " without a sunset" : "") + "; deprecate it first with a sunset and a replacement (status: deprecated,"
            + " sunset, replacement) through a contract PR, so its consumers are told");
      }
      if (!c.sunsetReached(today)) {
        throw new TesseraException(ErrorCode.INCOMPATIBLE_CHANGE, "Cannot retire " + c.majorId() + " before its sunset " + c.sunset()
            + " (today is " + today + ")");
      }
    }
    Duration quiet = quietPeriod != null ? Durations.tryParse(quietPeriod).orElseThrow(() -> new TesseraException(ErrorCode.INVALID_ARGUMENT,
        "--quiet-period " + quietPeriod + ": expected a duration (" + Durations.EXPECTED + ")")) : config.get(CoreOptions.RETIRE_QUIET_PERIOD);
    try (OnlineStore store = OnlineStores.open(config)) {
      List<OnlineStore.Usage> recent = store.usage().stream()
          .filter(u -> u.major().equals(c.majorId()) && u.lastReadMillis() > now.toEpochMilli() - quiet.toMillis()).toList();
      if (!recent.isEmpty() && c.status() != ContractStatus.RETIRED) {
        StringBuilder who = new StringBuilder();
        for (OnlineStore.Usage u : recent) {
          who.append(who.length() == 0 ? "" : "; ").append(u.consumer()).append(" read it ")
              .append(Durations.format(Duration.ofSeconds(Math.max(0, (now.toEpochMilli() - u.lastReadMillis()) / 1000)))).append(" ago (")
              .append(String.format("%,d", u.reads())).append(" reads in all)");
        }
        throw new TesseraException(ErrorCode.INCOMPATIBLE_CHANGE, "Cannot retire " + c.majorId() + ": still read within the quiet period of "
            + Durations.format(quiet) + ": " + who + (c.replacement() == null ? "" : "; they should move to " + c.replacement()));
      }
      long rows = store.deleteTopic(c.changelogTopic());
      out.printf("retire %s: deleted %,d online rows of %s%n", c.majorId(), rows, c.changelogTopic());
    }
    dev.tessera.kafka.KafkaClients kafka = dev.tessera.kafka.KafkaClients.of(config);
    if (kafka.bootstrapServers() == null) {
      out.printf("retire %s: changelog topic %s: no Kafka configured; the next tessera up deletes it%n", c.majorId(), c.changelogTopic());
    } else {
      try {
        out.printf("retire %s: changelog topic %s %s%n", c.majorId(), c.changelogTopic(),
            Topics.delete(kafka, c.changelogTopic()) ? "deleted" : "was not there");
      } catch (TesseraException unreachable) {
        out.printf("retire %s: changelog topic %s: Kafka unreachable (%s); the next tessera up deletes it%n", c.majorId(),
            c.changelogTopic(), unreachable.getMessage());
      }
    }
    Catalog catalog = Catalogs.open(config);
    try {
      FeatureTables tables = new FeatureTables(catalog, config.get(OfflineOptions.NAMESPACE));
      var id = tables.identifier(c);
      if (dropTable) {
        out.printf("retire %s: Iceberg table %s %s%n", c.majorId(), id, catalog.dropTable(id, true) ? "dropped" : "was not there");
      } else {
        out.printf("retire %s: Iceberg table %s kept (training snapshots and their manifests still read it)%n", c.majorId(), id);
      }
    } finally {
      if (catalog instanceof AutoCloseable closeable) {
        closeable.close();
      }
    }
    if (c.status() != ContractStatus.RETIRED) {
      markRetired(file.file(), c);
      out.printf("retire %s: %s now says status: retired, version %d.%d.0; commit it through a contract PR (contract check accepts it:"
          + " the sunset %s passed)%n", c.majorId(), file.file(), c.version().major(), c.version().minor() + 1, c.sunset());
    } else {
      out.printf("retire %s: already retired; cleaned up again%n", c.majorId());
    }
    out.flush();
    return 0;
  }

  /**
   * Writes {@code status: retired} in place of the file's {@code status:} line, and the next minor
   * version (retiring a deprecated major is a MINOR change of it; {@code contract check} wants the bump).
   */
  static void markRetired(Path file, FeatureSetContract c) throws java.io.IOException {
    String text = Files.readString(file);
    Matcher status = Pattern.compile("(?m)^status:[ \\t]*[A-Za-z]+[ \\t]*(#.*)?$").matcher(text);
    if (!status.find()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, file + ": no top-level 'status:' line to change to retired");
    }
    text = text.substring(0, status.start()) + "status: retired" + text.substring(status.end());
    Matcher version = Pattern.compile("(?m)^version:[ \\t]*" + Pattern.quote(c.version().toString()) + "[ \\t]*$").matcher(text);
    if (!version.find()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, file + ": no top-level 'version: " + c.version() + "' line to bump");
    }
    String next = c.version().major() + "." + (c.version().minor() + 1) + ".0";
    Files.writeString(file, text.substring(0, version.start()) + "version: " + next + text.substring(version.end()));
  }
}
