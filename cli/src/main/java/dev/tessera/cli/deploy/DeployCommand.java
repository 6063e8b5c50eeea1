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
import java.util.Map;
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

    @Option(names = "--only", description = "Render only alerts (rules and dashboard) or only kubernetes (the workloads); default both.")
    String only;

    @Option(names = "--models", description = "Directory of model service configs (kind: ModelService) to deploy too.")
    Path models;

    @Option(names = "--registry", defaultValue = "", description = "Image registry of Tessera's images (default: none, local names).")
    String registry;

    @Option(names = "--tag", defaultValue = "0.1.0", description = "Tag of Tessera's images (default: ${DEFAULT-VALUE}).")
    String tag;

    @Option(names = "--flink-version", defaultValue = "v2_1",
        description = "flinkVersion of the FlinkDeployments, as the Flink Kubernetes Operator names it (default: ${DEFAULT-VALUE}).")
    String flinkVersion;

    @Option(names = "--online-replicas", defaultValue = "2", description = "Replicas of online-serving at least (default: ${DEFAULT-VALUE}).")
    int onlineReplicas;

    @Option(names = "--max-replicas", defaultValue = "10", description = "Replicas the autoscalers may reach (default: ${DEFAULT-VALUE}).")
    int maxReplicas;

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
      if (only != null && !only.equals("alerts") && !only.equals("kubernetes")) {
        throw new dev.tessera.errors.TesseraException(dev.tessera.errors.ErrorCode.INVALID_ARGUMENT, "--only " + only
            + ": expected alerts or kubernetes");
      }
      boolean alerts = only == null || only.equals("alerts");
      boolean workloads = only == null || only.equals("kubernetes");
      for (FeatureSetContract c : alerts ? live : List.<FeatureSetContract>of()) {
        String base = c.name() + "-v" + c.majorVersion();
        write(prometheus.resolve(base + ".rules.yaml"), yaml(AlertRules.rulesFile(List.of(c), options)));
        write(kubernetes.resolve(base + ".prometheusrule.yaml"), yaml(AlertRules.prometheusRule(c, options, namespace)));
        o.printf("  %-24s %d alert rules (%s)%n", c.majorId(), ((List<?>) AlertRules.group(c, options).get("rules")).size(),
            slaOf(c));
      }
      if (workloads) {
        workloads(CliContext.of(spec), registry, live.size(), kubernetes, o);
      }
      if (alerts) {
        Path dashboard = grafana.resolve("tessera-feature-sets.json");
        write(dashboard, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(Dashboard.of(live)));
      }
      o.printf("deploy render: %d feature set majors -> %s (prometheus/, kubernetes/, grafana/)%n", live.size(), out);
      o.flush();
      return 0;
    }

    /** The workloads: config, contracts, online-serving, model services, an ingest FlinkDeployment per major. */
    private void workloads(CliContext ctx, ContractRegistry registry, int majors, Path kubernetes, PrintWriter o) throws IOException {
      Path contractsDir = contracts != null ? contracts : Path.of(ctx.config().get(dev.tessera.config.CoreOptions.CONTRACTS_DIR));
      List<Path> modelConfigs = new java.util.ArrayList<>();
      if (models != null) {
        try (var files = Files.list(models)) {
          for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
            if (Files.readString(f).contains("kind: ModelService")) {
              modelConfigs.add(f);
            }
          }
        }
      }
      var objects = KubernetesObjects.render(ctx.config(), registry, contractsDir, modelConfigs,
          new KubernetesObjects.Options(this.registry, tag, namespace, flinkVersion, onlineReplicas, maxReplicas));
      for (KubernetesObjects.Rendered r : objects) {
        write(kubernetes.resolve(r.file()), yaml(r.object()));
      }
      Map<?, ?> annotations = (Map<?, ?>) ((Map<?, ?>) objects.get(0).object().get("metadata")).get("annotations");
      String secrets = String.valueOf(annotations.get("tessera.dev/secret-keys"));
      o.printf("  kubernetes: %d objects (config, contracts, online-serving, %d model services, %d ingest FlinkDeployments)%n", objects.size(),
          modelConfigs.size(), majors);
      o.printf("  secrets: %s%n", secrets.isEmpty() ? "none in the config" : "create Secret tessera-secrets with keys " + secrets
          + " (kubectl create secret generic tessera-secrets --from-file=<key>=<file> ...)");
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

  /** Block-style YAML, long strings kept on one line (PromQL expressions), no anchors (shared parts copied). */
  static String yaml(Object value) {
    value = new ObjectMapper().convertValue(value, Object.class); // a fresh tree: nothing shared, so no &anchors
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setWidth(Integer.MAX_VALUE);
    options.setIndicatorIndent(0);
    return new Yaml(options).dump(value);
  }
}
