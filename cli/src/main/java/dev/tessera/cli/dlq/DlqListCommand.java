package dev.tessera.cli.dlq;

import dev.tessera.cli.CliContext;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.kafka.DeadLetters.DeadLetter;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tessera dlq list}: counts by contract version, reason and hour; the oldest and newest event. */
@Command(name = "list", mixinStandardHelpOptions = true,
    description = "Counts the rejected events by contract version, reason and hour (UTC), with the oldest and newest.")
public final class DlqListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DlqCommand.Selection selection;

  @Override
  public Integer call() {
    ContractRegistry registry = CliContext.of(spec).contracts(null);
    DlqCommand.Selection s = selection;
    List<DeadLetter> letters = s.read(spec, registry);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%s%s%s: %,d events%n", s.dlqTopic(registry), s.featureSet == null ? "" : " (rejected by " + s.featureSet + ")",
        s.since == null ? "" : " since " + DlqCommand.time(s.sinceMillis()), letters.size());
    if (!letters.isEmpty()) {
      DeadLetter oldest = letters.stream().min(Comparator.comparingLong(DeadLetter::timestamp)).orElseThrow();
      DeadLetter newest = letters.stream().max(Comparator.comparingLong(DeadLetter::timestamp)).orElseThrow();
      out.printf("  oldest  %s (%s ago)  offset %d  %s@%s %s%n", DlqCommand.time(oldest.timestamp()), DlqCommand.age(oldest.timestamp()),
          oldest.offset(), oldest.contract(), oldest.version(), oldest.reason());
      out.printf("  newest  %s (%s ago)  offset %d  %s@%s %s%n", DlqCommand.time(newest.timestamp()), DlqCommand.age(newest.timestamp()),
          newest.offset(), newest.contract(), newest.version(), newest.reason());
      Map<List<String>, Integer> counts = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0)).thenComparing(k -> k.get(1))
          .thenComparing(k -> k.get(2)).thenComparing(k -> k.get(3)));
      for (DeadLetter d : letters) {
        String hour = Instant.ofEpochMilli(d.timestamp()).truncatedTo(ChronoUnit.HOURS).toString();
        counts.merge(List.of(d.contract(), d.version(), d.reason(), hour), 1, Integer::sum);
      }
      out.println();
      out.println("| feature set | version | reason | hour (UTC) | events |");
      out.println("|---|---|---|---|---|");
      counts.forEach((k, n) -> out.printf("| %s | %s | %s | %s | %,d |%n", k.get(0), k.get(1), k.get(2), k.get(3), n));
      Map<String, String> markers = s.markers(spec, registry);
      Map<String, Integer> states = new TreeMap<>();
      for (DeadLetter d : letters) {
        String m = markers.get(d.position());
        states.merge(m == null ? "never" : m.substring(0, m.indexOf(' ')), 1, Integer::sum);
      }
      out.printf("%nreplay: %,d back into the topic, %,d counted by a backfill, %,d waiting for a backfill, %,d still rejected when"
          + " validated again, %,d never replayed%n", states.getOrDefault("live", 0), states.getOrDefault("backfilled", 0),
          states.getOrDefault("pending", 0), states.getOrDefault("rejected", 0), states.getOrDefault("never", 0));
    }
    out.flush();
    return 0;
  }
}
