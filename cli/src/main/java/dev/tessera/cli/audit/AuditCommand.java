package dev.tessera.cli.audit;

import dev.tessera.cli.CliContext;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.sdk.TesseraClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera audit}: online values against the latest offline rows, for a sample of keys. */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = {"Compares online values with the latest offline rows for a sample of keys (training/serving skew).",
        "Exit 0: every compared key matched; 1: a key is mismatched, stale or missing online; 3: nothing to compare (no offline rows yet,",
        "or no sampled key comparable); it says which."})
public final class AuditCommand implements Callable<Integer> {
  /** Exit status when nothing could be compared: an audit that checked nothing is not a pass. */
  public static final int NOTHING_TO_COMPARE = 3;

  @Spec CommandSpec spec;

  @Option(names = "--feature-set", required = true, description = "The feature set to audit: <name> (its newest active major) or <name>@<major>.")
  String featureSet;

  @Option(names = "--sample", defaultValue = "200", description = "Keys to compare (default: ${DEFAULT-VALUE}).")
  int sample;

  @Option(names = "--url", defaultValue = "http://localhost:8080", description = "The online API (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--api-key", description = "API key (default: TESSERA_API_KEY, else the key of `tessera up` in the home).")
  String apiKey;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the key sample.")
  long seed;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = CliContext.of(spec);
    FeatureSetContract c = ctx.contracts(null).get(featureSet);
    String key = CliContext.apiKey(spec, apiKey);
    try (TesseraClient client = TesseraClient.builder().baseUrl(url).apiKey(key).build()) {
      Audit.Report r = Audit.run(ctx.config(), c, client, sample, seed);
      var out = spec.commandLine().getOut();
      out.printf("audit %s: %d keys sampled of %d offline keys%s%n", r.featureSet(), r.sampled(), r.offlineKeys(),
          r.fromEventTime() == null ? "" : ", offline event times " + java.time.Instant.ofEpochMilli(r.fromEventTime()) + " .. "
              + java.time.Instant.ofEpochMilli(r.toEventTime()));
      r.counts().forEach((verdict, n) -> out.printf("  %-15s %d%n", verdict, n));
      if (r.sampled() > 0) {
        out.printf("  max staleness   %d ms%n", r.maxStalenessMs());
      }
      r.findings().stream().filter(f -> !f.verdict().equals("match") && !f.verdict().equals("online-ahead")).limit(10)
          .forEach(f -> out.printf("  %s %s: %s%n", f.verdict(), f.key(), f.detail()));
      if (r.nothingToCompare() != null) {
        out.println("nothing to compare: " + r.nothingToCompare() + "; exit " + NOTHING_TO_COMPARE);
        out.flush();
        return NOTHING_TO_COMPARE;
      }
      out.printf("%d of %d compared keys matched%s; %s%n", r.matched(), r.compared(),
          r.compared() < r.sampled() ? " (" + (r.sampled() - r.compared()) + " not comparable: online ahead or expired)" : "",
          r.problems() == 0 ? "no mismatch" : r.problems() + " problems");
      out.flush();
      return r.problems() == 0 ? 0 : 1;
    }
  }
}
