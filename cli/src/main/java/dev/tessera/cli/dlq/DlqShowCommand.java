package dev.tessera.cli.dlq;

import dev.tessera.cli.CliContext;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.ingest.decode.EventDecoder;
import dev.tessera.kafka.DeadLetters.DeadLetter;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tessera dlq show}: the newest rejected events, each decoded with the contract that
 * rejected it (today's version of it) next to its reason and detail; a payload that does not
 * decode is shown as hex with what its framing says. Fields the contract marks {@code source.pii}
 * are masked: their values, a detail that names one, and (since PII can sit anywhere in bytes that
 * do not decode) all but the framing bytes of an undecodable payload.
 */
@Command(name = "show", mixinStandardHelpOptions = true,
    description = "Shows the newest rejected events, decoded, next to the reason and detail; undecodable payloads as hex with their framing.")
public final class DlqShowCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DlqCommand.Selection selection;

  @Option(names = "--limit", defaultValue = "20", description = "How many events, the newest (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    ContractRegistry registry = CliContext.of(spec).contracts(null);
    List<DeadLetter> letters = selection.read(spec, registry);
    Map<String, String> markers = selection.markers(spec, registry);
    Map<String, EventDecoder> decoders = new HashMap<>();
    Map<String, Set<String>> pii = new HashMap<>();
    for (FeatureSetContract c : registry.all()) {
      decoders.put(c.name(), new EventDecoder(c, Set.of()));
      pii.put(c.name(), c.source().pii());
    }
    PrintWriter out = spec.commandLine().getOut();
    List<DeadLetter> shown = letters.subList(Math.max(0, letters.size() - limit), letters.size());
    out.printf("%s: %,d events, showing the newest %d%n", selection.dlqTopic(registry), letters.size(), shown.size());
    for (DeadLetter d : shown) {
      Set<String> masked = pii.getOrDefault(d.contract(), Set.of());
      out.printf("%n#%d@%d  %s  %s@%s  %s: %s%n", d.partition(), d.offset(), DlqCommand.time(d.timestamp()), d.contract(), d.version(),
          d.reason(), maskedDetail(d.detail(), masked));
      out.printf("  from %s partition %d offset %d, %d bytes%s%n", d.sourceTopic(), d.sourcePartition(), d.sourceOffset(),
          d.payload() == null ? 0 : d.payload().length, d.replayOf().isEmpty() ? "" : " (a replayed copy of offset " + d.replayOf() + ")");
      String marker = markers.get(d.position());
      if (marker != null) {
        out.printf("  replay: %s%n", maskedDetail(marker, masked));
      }
      EventDecoder decoder = decoders.get(d.contract());
      Object decoded = decoder == null || d.payload() == null ? null : decoder.decodeRecord(d.payload());
      if (decoded instanceof GenericRecord r) {
        out.printf("  %s%n", masked(r, masked));
      } else {
        out.printf("  undecodable%s; framing: %s%n", decoder == null ? " (no contract named " + d.contract() + " here)" : "",
            framing(d.payload()));
        out.printf("  %s%n", masked.isEmpty() ? hex(d.payload(), 96) : hex(d.payload(), 10) + "  (the rest masked: " + d.contract()
            + " has PII fields)");
      }
    }
    out.flush();
    return 0;
  }

  /** The record as text, the values of {@code pii} fields replaced by {@code ***}. */
  static String masked(GenericRecord r, Set<String> pii) {
    if (pii.isEmpty() || !(r instanceof GenericData.Record record)) {
      return r.toString();
    }
    GenericData.Record copy = new GenericData.Record(record, true);
    for (String f : pii) {
      if (copy.getSchema().getField(f) != null) {
        copy.put(f, "***");
      }
    }
    return copy.toString();
  }

  static String maskedDetail(String detail, Set<String> pii) {
    return dev.tessera.kafka.DeadLetters.maskedDetail(detail, pii);
  }

  static String framing(byte[] p) {
    return dev.tessera.kafka.DeadLetters.framing(p);
  }

  static String hex(byte[] p, int max) {
    if (p == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(max, p.length); i++) {
      b.append(i == 0 ? "" : " ").append(String.format("%02x", p[i] & 0xff));
    }
    return p.length > max ? b + " ... (" + (p.length - max) + " more)" : b.toString();
  }
}
