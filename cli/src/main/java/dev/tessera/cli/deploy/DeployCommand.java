package dev.tessera.cli.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tessera.cli.CliContext;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.errors.TesseraException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera deploy}: what to apply in production, rendered from the contracts. */
@Command(name = "deploy", mixinStandardHelpOptions = true, description = "Render what a production deployment applies, from the contracts.",
    subcommands = {DeployCommand.Render.class})
public final class DeployCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code tessera deploy render --contracts <dir> --out <dir>}: per live feature set major an
   * alert rules file ({@code prometheus/<name>-v<major>.rules.yaml}, for {@code promtool} and a
   * plain Prometheus) and a {@code PrometheusRule} object ({@code kubernetes/...}), and one
   * Grafana dashboard ({@code grafana/tessera-feature-sets.json}).
   */
  @Command(name = "render", mixinStandardHelpOptions = true,
      description = "Write the SLA alert rules (Prometheus rule files and PrometheusRule objects) and a Grafana dashboard of the contracts.")
  public static final class Render implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--contracts", description = "Contracts directory (default: tessera.contracts.dir).")
    Path contracts;

    @Option(names = "--out", required = true, description = "Directory to write into (created; files there are replaced).")
    Path out;

    @Option(names = "--catalog-url", defaultValue = "http://tessera-online:8080",
        description = "Where people open the catalog UI: each alert's runbook link (default: ${DEFAULT-VALUE}).")
    String catalogUrl;

    @Option(names = "--namespace", description = "Kubernetes namespace of the PrometheusRule objects (default: none, the applier's).")
    String namespace;

    @Option(names = "--changelog-lag-threshold", defaultValue = "10000",
        description = "Changelog records behind before TesseraChangelogLagHigh fires (default: ${DEFAULT-VALUE}).")
    long lagThreshold;

    @Option(names = "--dlq-threshold", defaultValue = "100",
        description = "Rejected events in the last hour before TesseraDlqRejections fires (default: ${DEFAULT-VALUE}).")
    long dlqThreshold;

    @Override
    public Integer call() throws IOException {
      ContractRegistry registry = CliContext.of(spec).contracts(contracts);
      List<FeatureSetContract> live = registry.allMajors();
      AlertRules.Options options = new AlertRules.Options(catalogUrl, lagThreshold, dlqThreshold);
      Path prometheus = Files.createDirectories(out.resolve("prometheus"));
      Path kubernetes = Files.createDirectories(out.resolve("kubernetes"));
      Path grafana = Files.createDirectories(out.resolve("grafana"));
      PrintWriter o = spec.commandLine().getOut();
      for (FeatureSetContract c : live) {
        String base = c.name() + "-v" + c.majorVersion();
        write(prometheus.resolve(base + ".rules.yaml"), yaml(AlertRules.rulesFile(List.of(c), options)));
        write(kubernetes.resolve(base + ".prometheusrule.yaml"), yaml(AlertRules.prometheusRule(c, options, namespace)));
        o.printf("  %-24s %d alert rules (%s)%n", c.majorId(), ((List<?>) AlertRules.group(c, options).get("rules")).size(),
            slaOf(c));
      }
      Path dashboard = grafana.resolve("tessera-feature-sets.json");
      write(dashboard, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(Dashboard.of(live)));
      o.printf("deploy render: %d feature set majors -> %s (prometheus/, kubernetes/, grafana/)%n", live.size(), out);
      o.flush();
      return 0;
    }

    private static String slaOf(FeatureSetContract c) {
      var s = c.sla();
      StringBuilder b = new StringBuilder();
      if (s.freshness() != null) {
        b.append("freshness ").append(dev.tessera.contracts.model.Durations.format(s.freshness())).append(' ');
      }
      if (s.latencyP99() != null) {
        b.append("latency p99 ").append(dev.tessera.contracts.model.Durations.format(s.latencyP99())).append(' ');
      }
      if (s.availabilityPercent() != null) {
        b.append("availability ").append(s.availabilityPercent()).append("% ");
      }
      if (s.completenessPercent() != null) {
        b.append("completeness ").append(s.completenessPercent()).append("% ");
      }
      return b.length() == 0 ? "no sla block: lag and DLQ only" : b.toString().trim();
    }

    private static void write(Path file, String text) {
      try {
        Files.writeString(file, text);
      } catch (IOException e) {
        throw TesseraException.io("Cannot write " + file, e);
      }
    }
  }

  /** Block-style YAML, long strings kept on one line (PromQL expressions). */
  static String yaml(Object value) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setWidth(Integer.MAX_VALUE);
    options.setIndicatorIndent(0);
    return new Yaml(options).dump(value);
  }
}
