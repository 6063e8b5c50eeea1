package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code tessera deploy render}'s SLA alerts, checked by Prometheus' own {@code promtool}: the
 * rules files pass {@code promtool check rules}, and {@code promtool test rules} runs them on
 * synthetic series of the metrics online-serving exports: each breach fires its alert with the
 * contract's labels, and healthy series fire nothing. promtool comes from Debian's
 * {@code prometheus} package; this test installs it when missing (as root or with sudo), and
 * {@code .ci/run} does too.
 */
class DeployRenderTest {
  static final Path EXAMPLES = Path.of("../contracts/examples");
  static String promtool;

  @TempDir static Path out;

  @BeforeAll
  static void render() throws Exception {
    promtool = findOrInstallPromtool();
    CliRun.Result r = CliRun.run("deploy", "render", "--only", "alerts", "--contracts", EXAMPLES.toString(), "--out", out.toString(), "--catalog-url",
        "https://features.example.com/");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("customer_activity@1      6 alert rules (freshness 1m latency p99 10ms availability 99.9% completeness 99.5%)")
        .contains("deploy render: 4 feature set majors");
  }

  @Test
  void everyRulesFilePassesPromtoolCheck() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(promtool, "check", "rules"));
    try (var files = Files.list(out.resolve("prometheus"))) {
      files.sorted().forEach(f -> cmd.add(f.toString()));
    }
    assertThat(cmd).hasSize(3 + 4);
    Run check = run(cmd);
    assertThat(check.exit()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: 6 rules found");
  }

  /** Breaches fire with the contract's labels; healthy series and a looser contract fire nothing (promtool fails on any other alert). */
  @Test
  void aBreachFiresAndAHealthySeriesDoesNot() throws Exception {
    // promtool compares annotations exactly, and ours quote $value: the expressions, labels and durations are tested here, the
    // annotation templates by promtool check above
    Path stripped = Files.createDirectories(out.resolve("stripped"));
    Yaml yaml = new Yaml();
    for (String name : List.of("customer_activity-v1", "customer_merchant-v1", "customer_profile-v1", "merchant_risk-v2")) {
      Map<String, Object> file = yaml.load(Files.readString(out.resolve("prometheus/" + name + ".rules.yaml")));
      for (Object g : (List<?>) file.get("groups")) {
        for (Object rule : (List<?>) ((Map<?, ?>) g).get("rules")) {
          ((Map<?, ?>) rule).remove("annotations");
        }
      }
      Files.writeString(stripped.resolve(name + ".rules.yaml"), yaml.dump(file));
    }
    String activity = "feature_set=\"customer_activity\",major=\"1\"";
    String profile = "feature_set=\"customer_profile\",major=\"1\"";
    String risk = "feature_set=\"merchant_risk\",major=\"2\"";
    String tests = """
        rule_files: [customer_activity-v1.rules.yaml, customer_merchant-v1.rules.yaml, customer_profile-v1.rules.yaml, merchant_risk-v2.rules.yaml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              # customer_activity: rows become visible 60-120 s after their event time, against an SLA of 1m
              - {series: 'tessera_freshness_lag_seconds_bucket{A,le="1"}', values: '0+0x40'}
              - {series: 'tessera_freshness_lag_seconds_bucket{A,le="60"}', values: '0+0x40'}
              - {series: 'tessera_freshness_lag_seconds_bucket{A,le="120"}', values: '0+100x40'}
              - {series: 'tessera_freshness_lag_seconds_bucket{A,le="+Inf"}', values: '0+100x40'}
              # customer_profile: within a second, against 10m
              - {series: 'tessera_freshness_lag_seconds_bucket{P,le="1"}', values: '0+100x40'}
              - {series: 'tessera_freshness_lag_seconds_bucket{P,le="60"}', values: '0+100x40'}
              - {series: 'tessera_freshness_lag_seconds_bucket{P,le="120"}', values: '0+100x40'}
              - {series: 'tessera_freshness_lag_seconds_bucket{P,le="+Inf"}', values: '0+100x40'}
              # lookups: customer_activity answers 90% OK (target 99.5%), merchant_risk 100% (target 99%)
              - {series: 'tessera_lookups_total{A,status="ok"}', values: '0+90x40'}
              - {series: 'tessera_lookups_total{A,status="missing"}', values: '0+10x40'}
              - {series: 'tessera_lookups_total{R,status="ok"}', values: '0+100x40'}
              # latency: customer_activity 20-50 ms against 10 ms; merchant_risk under 5 ms
              - {series: 'tessera_lookup_latency_seconds_bucket{A,endpoint="get",le="0.005"}', values: '0+0x40'}
              - {series: 'tessera_lookup_latency_seconds_bucket{A,endpoint="get",le="0.01"}', values: '0+0x40'}
              - {series: 'tessera_lookup_latency_seconds_bucket{A,endpoint="get",le="0.05"}', values: '0+50x40'}
              - {series: 'tessera_lookup_latency_seconds_bucket{A,endpoint="get",le="+Inf"}', values: '0+50x40'}
              - {series: 'tessera_lookup_latency_seconds_bucket{R,endpoint="get",le="0.005"}', values: '0+50x40'}
              - {series: 'tessera_lookup_latency_seconds_bucket{R,endpoint="get",le="+Inf"}', values: '0+50x40'}
              # 0.4% of lookups answered 5xx: over the 0.1% of the 99.9% contracts, within customer_merchant's 0.5%
              - {series: 'http_server_requests_seconds_count{uri="/v1/features/lookup",status="503"}', values: '0+4x40'}
              - {series: 'http_server_requests_seconds_count{uri="/v1/features/lookup",status="200"}', values: '0+996x40'}
              # the store of customer_activity is 20,000 records behind; merchant_risk's DLQ got 150 events in the hour
              - {series: 'tessera_changelog_lag_records{A,instance="a"}', values: '20000x40'}
              - {series: 'tessera_changelog_lag_records{R,instance="a"}', values: '0x40'}
              - {series: 'tessera_dlq_rejected_last_hour{R,reason="quality_rule",instance="a"}', values: '150x40'}
              - {series: 'tessera_dlq_rejected_last_hour{A,reason="decode",instance="a"}', values: '3x40'}
            alert_rule_test:
              - {eval_time: 20m, alertname: TesseraFreshnessSlaBreached, exp_alerts: [{exp_labels: {severity: page, feature_set: customer_activity, major: '1', team: risk-data}}]}
              - {eval_time: 3m, alertname: TesseraFreshnessSlaBreached, exp_alerts: []}
              - {eval_time: 20m, alertname: TesseraLookupLatencySlaBreached, exp_alerts: [{exp_labels: {severity: page, feature_set: customer_activity, major: '1', team: risk-data}}]}
              - {eval_time: 35m, alertname: TesseraCompletenessSlaBreached, exp_alerts: [{exp_labels: {severity: ticket, feature_set: customer_activity, major: '1', team: risk-data}}]}
              - {eval_time: 35m, alertname: TesseraAvailabilitySlaBreached, exp_alerts: [{exp_labels: {severity: page, feature_set: customer_activity, major: '1', team: risk-data}}, {exp_labels: {severity: page, feature_set: customer_profile, major: '1', team: customer-data}}, {exp_labels: {severity: page, feature_set: merchant_risk, major: '2', team: merchant-risk}}]}
              - {eval_time: 20m, alertname: TesseraChangelogLagHigh, exp_alerts: [{exp_labels: {severity: ticket, feature_set: customer_activity, major: '1', team: risk-data}}]}
              - {eval_time: 20m, alertname: TesseraDlqRejections, exp_alerts: [{exp_labels: {severity: ticket, feature_set: merchant_risk, major: '2', team: merchant-risk}}]}
        """.replace("{A,", "{" + activity + ",").replace("{P,", "{" + profile + ",").replace("{R,", "{" + risk + ",");
    Path testFile = Files.writeString(stripped.resolve("tests.yaml"), tests);
    Run test = run(List.of(promtool, "test", "rules", testFile.toString()));
    assertThat(test.exit()).as(test.output()).isZero();
    assertThat(test.output()).contains("SUCCESS");
  }

  @Test
  void prometheusRulesAndTheDashboardCarryEachContractsSla() throws IOException {
    Map<String, Object> rule = new Yaml().load(Files.readString(out.resolve("kubernetes/customer_activity-v1.prometheusrule.yaml")));
    assertThat(rule).containsEntry("apiVersion", "monitoring.coreos.com/v1").containsEntry("kind", "PrometheusRule");
    assertThat(((Map<?, ?>) rule.get("metadata")).get("name")).isEqualTo("tessera-customer-activity-v1");
    Map<String, Object> plain = new Yaml().load(Files.readString(out.resolve("prometheus/customer_activity-v1.rules.yaml")));
    assertThat(((Map<?, ?>) rule.get("spec")).get("groups")).isEqualTo(plain.get("groups"));
    String text = Files.readString(out.resolve("prometheus/customer_activity-v1.rules.yaml"));
    assertThat(text).contains("runbook_url: https://features.example.com/ui/feature-sets/customer_activity@1#sla")
        .contains("Owner: risk-data <risk-data@example.com>.");

    JsonNode dashboard = new ObjectMapper().readTree(out.resolve("grafana/tessera-feature-sets.json").toFile());
    List<String> titles = new ArrayList<>();
    dashboard.path("panels").forEach(p -> titles.add(p.path("title").asText()));
    assertThat(titles).contains("customer_activity@1 1.0.0 (risk-data)", "Freshness vs SLA", "Lookup latency p99 vs SLA",
        "Completeness vs target", "Changelog lag", "Rejected events (last hour) by reason");
    JsonNode freshness = dashboard.path("panels").get(1);
    assertThat(freshness.path("targets").get(0).path("expr").asText()).contains("tessera_freshness_lag_seconds_bucket{feature_set=\"customer_activity\"");
    assertThat(freshness.at("/fieldConfig/defaults/thresholds/steps/1/value").asDouble()).isEqualTo(60.0);
  }

  /** The Kubernetes objects, parsed with the fabric8 model: the wiring of images, ports, probes, config and secrets, and each pipeline's job. */
  @Test
  void kubernetesObjectsAreWiredTogether(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("tessera.properties"), String.join("\n",
        "tessera.kafka.bootstrap-servers=b-1.kafka:9096",
        "tessera.kafka.security.protocol=SASL_SSL",
        "tessera.kafka.sasl.mechanism=SCRAM-SHA-512",
        "tessera.kafka.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"t\" password=\"never-in-a-configmap\";",
        "tessera.ingest.checkpoint-dir=s3://lake/checkpoints",
        "tessera.online.store=redis",
        "tessera.online.api-keys=fraud-scoring:also-never-in-a-configmap",
        "tessera.offline.warehouse=s3://lake/warehouse", ""));
    Path render = dir.resolve("out");
    CliRun.Result r = CliRun.run("--config", config.toString(), "deploy", "render", "--contracts", EXAMPLES.toString(), "--models",
        "../model-serving/examples", "--out", render.toString(), "--registry", "registry.example.com/ml", "--tag", "1.2.3", "--namespace", "features");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("kubernetes: 15 objects (config, contracts, online-serving, 1 model services, 4 ingest FlinkDeployments)")
        .contains("create Secret tessera-secrets with keys tessera.kafka.sasl.jaas.config,tessera.online.api-keys");
    Path k = render.resolve("kubernetes");
    ObjectMapper json = new ObjectMapper();

    io.fabric8.kubernetes.api.model.ConfigMap cfg = parse(json, k.resolve("configmap-tessera-config.yaml"), io.fabric8.kubernetes.api.model.ConfigMap.class);
    String properties = cfg.getData().get("tessera.properties");
    assertThat(properties).contains("tessera.contracts.dir=/etc/tessera/contracts").contains("tessera.kafka.security.protocol=SASL_SSL")
        .contains("tessera.kafka.sasl.jaas.config=${file:/etc/tessera/secrets/tessera.kafka.sasl.jaas.config}")
        .contains("tessera.online.api-keys=${file:/etc/tessera/secrets/tessera.online.api-keys}").doesNotContain("never-in-a-configmap");
    assertThat(cfg.getMetadata().getNamespace()).isEqualTo("features");
    io.fabric8.kubernetes.api.model.ConfigMap contracts = parse(json, k.resolve("configmap-tessera-contracts.yaml"),
        io.fabric8.kubernetes.api.model.ConfigMap.class);
    assertThat(contracts.getData()).containsKeys("customer_activity.yaml", "transaction.avsc");

    io.fabric8.kubernetes.api.model.apps.Deployment online = parse(json, k.resolve("deployment-tessera-online.yaml"),
        io.fabric8.kubernetes.api.model.apps.Deployment.class);
    var container = online.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("registry.example.com/ml/tessera-online-serving:1.2.3");
    assertThat(container.getPorts().get(0).getContainerPort()).isEqualTo(8080);
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("TESSERA_CONFIG=/etc/tessera/config/tessera.properties"));
    var volumes = online.getSpec().getTemplate().getSpec().getVolumes();
    assertThat(volumes).anySatisfy(v -> assertThat(v.getSecret() == null ? null : v.getSecret().getSecretName()).isEqualTo("tessera-secrets"));
    assertThat(volumes).anySatisfy(v -> assertThat(v.getConfigMap() == null ? null : v.getConfigMap().getName()).isEqualTo("tessera-config"));
    assertThat(container.getVolumeMounts()).extracting(m -> m.getMountPath())
        .contains("/etc/tessera/config", "/etc/tessera/contracts", "/etc/tessera/secrets");
    io.fabric8.kubernetes.api.model.Service svc = parse(json, k.resolve("service-tessera-online.yaml"), io.fabric8.kubernetes.api.model.Service.class);
    assertThat(svc.getSpec().getPorts().get(0).getPort()).isEqualTo(8080);
    assertThat(svc.getSpec().getSelector()).isEqualTo(online.getSpec().getSelector().getMatchLabels());
    var hpa = parse(json, k.resolve("hpa-tessera-online.yaml"), io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class);
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("tessera-online");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    var pdb = parse(json, k.resolve("pdb-tessera-online.yaml"), io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(online.getSpec().getSelector().getMatchLabels());

    io.fabric8.kubernetes.api.model.apps.Deployment model = parse(json, k.resolve("deployment-tessera-model-fraud-scorer.yaml"),
        io.fabric8.kubernetes.api.model.apps.Deployment.class);
    var m = model.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(m.getImage()).isEqualTo("registry.example.com/ml/tessera-model-serving:1.2.3");
    assertThat(m.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("TESSERA_MODEL_CONFIG=/etc/tessera/model/fraud-scorer.yaml"));
    io.fabric8.kubernetes.api.model.ConfigMap modelFiles = parse(json, k.resolve("configmap-tessera-model-fraud-scorer.yaml"),
        io.fabric8.kubernetes.api.model.ConfigMap.class);
    assertThat(java.util.Base64.getDecoder().decode(modelFiles.getBinaryData().get("fraud-scorer.onnx")))
        .isEqualTo(Files.readAllBytes(Path.of("../model-serving/examples/fraud-scorer.onnx")));

    io.fabric8.kubernetes.api.model.GenericKubernetesResource flink = parse(json, k.resolve("flinkdeployment-customer-activity-v1.yaml"),
        io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
    assertThat(flink.getApiVersion()).isEqualTo("flink.apache.org/v1beta1");
    assertThat(flink.getKind()).isEqualTo("FlinkDeployment");
    Map<?, ?> spec = (Map<?, ?>) flink.getAdditionalProperties().get("spec");
    Map<?, ?> job = (Map<?, ?>) spec.get("job");
    assertThat(spec.get("image")).isEqualTo("registry.example.com/ml/tessera-ingest:1.2.3");
    assertThat(job.get("entryClass")).isEqualTo("dev.tessera.ingest.job.IngestApplication");
    assertThat(job.get("args")).isEqualTo(List.of("--contract", "/etc/tessera/contracts/customer_activity.yaml"));
    assertThat(job.get("upgradeMode")).isEqualTo("savepoint");
    assertThat(((Map<?, ?>) spec.get("flinkConfiguration")).get("execution.checkpointing.dir")).isEqualTo("s3://lake/checkpoints/customer_activity-v1");
    assertThat(((Map<?, ?>) spec.get("flinkConfiguration")).get("env.java.opts.taskmanager")).isEqualTo("-XX:+UseParallelGC");
    assertThat(Files.exists(k.resolve("flinkdeployment-merchant-risk-v2.yaml"))).isTrue();
    Class.forName("dev.tessera.ingest.job.IngestApplication").getMethod("main", String[].class); // the entry class exists

    // a local checkpoint directory cannot serve a cluster: refused, naming the key
    Path local = Files.writeString(dir.resolve("local.properties"), "tessera.kafka.bootstrap-servers=b:9092\n");
    CliRun.Result refused = CliRun.run("--config", local.toString(), "deploy", "render", "--only", "kubernetes", "--contracts", EXAMPLES.toString(), "--out",
        dir.resolve("local-out").toString());
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("tessera.ingest.checkpoint-dir").contains("durable shared storage");
  }

  static <T> T parse(ObjectMapper json, Path file, Class<T> type) throws IOException {
    Object tree = new Yaml().load(Files.readString(file));
    return json.convertValue(tree, type);
  }

  record Run(int exit, String output) {}

  static Run run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), output);
  }

  /** promtool on PATH, else Debian's prometheus package installed (as root or with sudo -n); fails naming what to do. */
  static String findOrInstallPromtool() throws Exception {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, "promtool"))) {
        return Path.of(dir, "promtool").toString();
      }
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    List<String> install = new ArrayList<>(root ? List.of() : List.of("sudo", "-n"));
    install.addAll(List.of("sh", "-c", "apt-get install -y -q --no-install-recommends prometheus || (apt-get update -q && "
        + "apt-get install -y -q --no-install-recommends prometheus)"));
    Run r = run(install);
    assertThat(r.exit()).as("promtool is needed (Debian: apt-get install prometheus); installing it failed:%n%s", r.output()).isZero();
    assertThat(Path.of("/usr/bin/promtool")).isExecutable();
    return "/usr/bin/promtool";
  }
}
