package dev.tessera.cli.dlq;

import dev.tessera.cli.CliContext;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.ingest.decode.EventDecoder;
import dev.tessera.kafka.DeadLetters.DeadLetter;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.avro.generic.GenericRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tessera dlq show}: the newest rejected events, each decoded with the contract that
 * rejected it (today's version of it) next to its reason and detail; a payload that does not
 * decode is shown as hex with what its framing says.
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
    Map<String, EventDecoder> decoders = new HashMap<>();
    for (FeatureSetContract c : registry.all()) {
      decoders.put(c.name(), new EventDecoder(c, Set.of()));
    }
    PrintWriter out = spec.commandLine().getOut();
    List<DeadLetter> shown = letters.subList(Math.max(0, letters.size() - limit), letters.size());
    out.printf("%s: %,d events, showing the newest %d%n", selection.dlqTopic(registry), letters.size(), shown.size());
    for (DeadLetter d : shown) {
      out.printf("%n#%d@%d  %s  %s@%s  %s: %s%n", d.partition(), d.offset(), DlqCommand.time(d.timestamp()), d.contract(), d.version(),
          d.reason(), d.detail());
      out.printf("  from %s partition %d offset %d, %d bytes%n", d.sourceTopic(), d.sourcePartition(), d.sourceOffset(),
          d.payload() == null ? 0 : d.payload().length);
      EventDecoder decoder = decoders.get(d.contract());
      Object decoded = decoder == null || d.payload() == null ? null : decoder.decodeRecord(d.payload());
      if (decoded instanceof GenericRecord r) {
        out.printf("  %s%n", r);
      } else {
        out.printf("  undecodable%s; framing: %s%n", decoder == null ? " (no contract named " + d.contract() + " here)" : "",
            framing(d.payload()));
        out.printf("  %s%n", hex(d.payload(), 96));
      }
    }
    out.flush();
    return 0;
  }

  /** What the first bytes say about how the payload was framed. */
  static String framing(byte[] p) {
    if (p == null || p.length == 0) {
      return "empty payload";
    }
    if (p.length >= 10 && (p[0] & 0xff) == 0xC3 && p[1] == 0x01) {
      return "Avro single-object, schema fingerprint " + Long.toHexString(ByteBuffer.wrap(p, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
    }
    if (p.length >= 5 && p[0] == 0) {
      return "Confluent wire format, schema id " + ByteBuffer.wrap(p, 1, 4).getInt();
    }
    if (p[0] == '{' || p[0] == '[') {
      return "looks like JSON text, not Avro";
    }
    return "none recognised (plain Avro binary, or other bytes)";
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
