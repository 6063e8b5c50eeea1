package dev.tessera.cli.deploy;

import dev.tessera.config.IngestOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.registry.LoadedContract;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The Kubernetes objects of a Tessera deployment, rendered from the contracts, the model configs
 * and the Tessera config (docs/production.md, "Kubernetes"):
 *
 * <ul>
 *   <li>{@code ConfigMap tessera-config}: the Tessera config file, every secret value replaced by
 *       {@code ${file:/etc/tessera/secrets/<key>}} (the Secret {@code tessera-secrets}, which the
 *       platform creates; its keys are listed on the ConfigMap);
 *   <li>{@code ConfigMap tessera-contracts}: the contract files and schemas, mounted where the config
 *       says contracts are;
 *   <li>online-serving: a Deployment with readiness and liveness on {@code /q/health}, a Service, a
 *       HorizontalPodAutoscaler and a PodDisruptionBudget; each model service likewise, its config
 *       and (small) ONNX artifact in a ConfigMap;
 *   <li>per live feature set major, a {@code FlinkDeployment} of the Flink Kubernetes Operator in
 *       application mode: {@code IngestApplication} with that contract, checkpoints and savepoints
 *       under the configured checkpoint directory, upgrades through savepoints.
 * </ul>
 */
public final class KubernetesObjects {
  static final String CONFIG_DIR = "/etc/tessera/config";
  static final String CONTRACTS_DIR = "/etc/tessera/contracts";
  static final String SECRETS_DIR = "/etc/tessera/secrets";
  static final String MODEL_DIR = "/etc/tessera/model";
  static final int ONLINE_PORT = 8080;
  static final int MODEL_PORT = 8090;
  /** A ConfigMap holds at most 1 MiB; a larger model belongs in the image or a volume. */
  static final long MAX_ARTIFACT = 900 * 1024;

  /** Images and sizes: the registry and tag of Tessera's images, the Flink version of the operator's FlinkDeployment. */
  public record Options(String registry, String tag, String namespace, String flinkVersion, int onlineReplicas, int maxReplicas) {
    String image(String name) {
      return (registry == null || registry.isBlank() ? "" : registry.replaceAll("/$", "") + "/") + name + ":" + tag;
    }
  }

  /** One rendered object: its file name and content (a map for YAML). */
  public record Rendered(String file, Map<String, Object> object) {}

  private KubernetesObjects() {}

  public static List<Rendered> render(TesseraConfig config, ContractRegistry registry, Path contractsDir, List<Path> modelConfigs,
      Options o) throws IOException {
    List<Rendered> out = new ArrayList<>();
    Map<String, String> properties = new TreeMap<>();
    List<String> secretKeys = new ArrayList<>();
    new TreeMap<>(config.values()).forEach((k, v) -> {
      if (dev.tessera.config.SecretKeys.isSecret(k)) {
        secretKeys.add(k);
        properties.put(k, "${file:" + SECRETS_DIR + "/" + k + "}");
      } else {
        properties.put(k, v);
      }
    });
    properties.put("tessera.contracts.dir", CONTRACTS_DIR);
    StringBuilder file = new StringBuilder("# rendered by tessera deploy render; secrets are read from the Secret tessera-secrets\n");
    properties.forEach((k, v) -> file.append(k).append('=').append(v).append('\n'));
    Map<String, Object> configMap = object("v1", "ConfigMap", "tessera-config", o, Map.of("tessera.dev/secret-keys", String.join(",", secretKeys)));
    configMap.put("data", Map.of("tessera.properties", file.toString()));
    out.add(new Rendered("configmap-tessera-config.yaml", configMap));

    // contract files, flattened into ConfigMap keys and mounted back at their paths
    Map<String, String> contractData = new TreeMap<>();
    List<Map<String, Object>> items = new ArrayList<>();
    try (Stream<Path> files = Files.walk(contractsDir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        String relative = contractsDir.relativize(f).toString().replace('\\', '/');
        String key = relative.replace("/", "__");
        contractData.put(key, Files.readString(f));
        items.add(Map.of("key", key, "path", relative));
      }
    }
    Map<String, Object> contracts = object("v1", "ConfigMap", "tessera-contracts", o, null);
    contracts.put("data", contractData);
    out.add(new Rendered("configmap-tessera-contracts.yaml", contracts));

    out.addAll(service("tessera-online", o.image("tessera-online-serving"), ONLINE_PORT, o.onlineReplicas(), o, items, List.of(), List.of()));
    for (Path model : modelConfigs) {
      out.addAll(model(model, o, items));
    }
    for (FeatureSetContract c : registry.allMajors()) {
      LoadedContract loaded = registry.loaded(c.name(), c.majorVersion()).orElseThrow();
      String relative = contractsDir.toAbsolutePath().normalize().relativize(loaded.file().toAbsolutePath().normalize()).toString();
      out.add(new Rendered("flinkdeployment-" + c.name().replace('_', '-') + "-v" + c.majorVersion() + ".yaml",
          flinkDeployment(c, CONTRACTS_DIR + "/" + relative, config, o, items)));
    }
    return out;
  }

  private static List<Rendered> model(Path modelConfig, Options o, List<Map<String, Object>> contractItems) throws IOException {
    Map<?, ?> yaml = new org.yaml.snakeyaml.Yaml().load(Files.readString(modelConfig));
    String name = String.valueOf(yaml.get("name"));
    String artifact = String.valueOf(yaml.get("artifact"));
    Path artifactFile = modelConfig.toAbsolutePath().getParent().resolve(artifact);
    if (Files.size(artifactFile) > MAX_ARTIFACT) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Model '" + name + "': artifact " + artifactFile + " is " + Files.size(artifactFile)
          + " bytes, over what a ConfigMap holds (" + MAX_ARTIFACT + "); put it in the model image or a volume and render without --models");
    }
    String base = "tessera-model-" + name;
    Map<String, Object> cm = object("v1", "ConfigMap", base, o, null);
    cm.put("data", Map.of(modelConfig.getFileName().toString(), Files.readString(modelConfig)));
    cm.put("binaryData", Map.of(Path.of(artifact).getFileName().toString(), Base64.getEncoder().encodeToString(Files.readAllBytes(artifactFile))));
    List<Rendered> out = new ArrayList<>();
    out.add(new Rendered("configmap-" + base + ".yaml", cm));
    List<Map<String, Object>> env = List.of(Map.of("name", "TESSERA_MODEL_CONFIG", "value", MODEL_DIR + "/" + modelConfig.getFileName()),
        Map.of("name", "TESSERA_MODEL_ONLINE_URL", "value", "http://tessera-online:" + ONLINE_PORT));
    out.addAll(service(base, o.image("tessera-model-serving"), MODEL_PORT, 2, o, contractItems,
        List.of(volume("model", Map.of("configMap", Map.of("name", base)))), env));
    return out;
  }

  /** Deployment, Service, HPA and PDB of one HTTP service (online-serving or a model service). */
  private static List<Rendered> service(String name, String image, int port, int replicas, Options o, List<Map<String, Object>> contractItems,
      List<Map<String, Object>> extraVolumes, List<Map<String, Object>> extraEnv) {
    Map<String, String> selector = Map.of("app.kubernetes.io/name", name);
    List<Map<String, Object>> env = new ArrayList<>();
    env.add(Map.of("name", "TESSERA_CONFIG", "value", CONFIG_DIR + "/tessera.properties"));
    env.addAll(extraEnv);
    List<Map<String, Object>> mounts = new ArrayList<>(List.of(mount("config", CONFIG_DIR), mount("contracts", CONTRACTS_DIR),
        mount("secrets", SECRETS_DIR), mount("data", "/var/lib/tessera")));
    extraVolumes.forEach(v -> mounts.add(mount((String) v.get("name"), MODEL_DIR)));
    Map<String, Object> container = new LinkedHashMap<>();
    container.put("name", name);
    container.put("image", image);
    container.put("ports", List.of(Map.of("name", "http", "containerPort", port)));
    container.put("env", env);
    container.put("readinessProbe", probe("/q/health/ready", port, 5));
    container.put("livenessProbe", probe("/q/health/live", port, 30));
    container.put("resources", Map.of("requests", Map.of("cpu", "500m", "memory", "1Gi"), "limits", Map.of("memory", "2Gi")));
    container.put("volumeMounts", mounts);
    List<Map<String, Object>> volumes = new ArrayList<>(baseVolumes(contractItems));
    volumes.addAll(extraVolumes);
    volumes.add(volume("data", Map.of("emptyDir", Map.of())));
    Map<String, Object> podSpec = new LinkedHashMap<>();
    podSpec.put("containers", List.of(container));
    podSpec.put("volumes", volumes);
    Map<String, Object> deployment = object("apps/v1", "Deployment", name, o, null);
    deployment.put("spec", Map.of("replicas", replicas, "selector", Map.of("matchLabels", selector),
        "template", Map.of("metadata", Map.of("labels", selector), "spec", podSpec)));
    Map<String, Object> svc = object("v1", "Service", name, o, null);
    svc.put("spec", Map.of("selector", selector, "ports", List.of(Map.of("name", "http", "port", port, "targetPort", "http"))));
    Map<String, Object> hpa = object("autoscaling/v2", "HorizontalPodAutoscaler", name, o, null);
    hpa.put("spec", Map.of("scaleTargetRef", Map.of("apiVersion", "apps/v1", "kind", "Deployment", "name", name),
        "minReplicas", replicas, "maxReplicas", Math.max(replicas, o.maxReplicas()),
        "metrics", List.of(Map.of("type", "Resource", "resource", Map.of("name", "cpu", "target", Map.of("type", "Utilization",
            "averageUtilization", 70))))));
    Map<String, Object> pdb = object("policy/v1", "PodDisruptionBudget", name, o, null);
    pdb.put("spec", Map.of("minAvailable", 1, "selector", Map.of("matchLabels", selector)));
    return List.of(new Rendered("deployment-" + name + ".yaml", deployment), new Rendered("service-" + name + ".yaml", svc),
        new Rendered("hpa-" + name + ".yaml", hpa), new Rendered("pdb-" + name + ".yaml", pdb));
  }

  private static Map<String, Object> flinkDeployment(FeatureSetContract c, String contractPath, TesseraConfig config, Options o,
      List<Map<String, Object>> contractItems) {
    String name = "tessera-ingest-" + c.name().replace('_', '-') + "-v" + c.majorVersion();
    String dir = config.get(IngestOptions.CHECKPOINT_DIR);
    if (!dir.matches("^[a-z0-9+]+://.*") || dir.startsWith("file://")) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot render the ingest jobs: tessera.ingest.checkpoint-dir is '" + dir
          + "', a local path; a cluster needs durable shared storage (s3://..., hdfs://..., gs://...) for checkpoints and savepoints");
    }
    String checkpoints = dir.replaceAll("/$", "") + "/" + c.name() + "-v" + c.majorVersion();
    Map<String, Object> flinkConf = new LinkedHashMap<>();
    flinkConf.put("execution.checkpointing.dir", checkpoints);
    flinkConf.put("execution.checkpointing.savepoint-dir", checkpoints + "/savepoints");
    flinkConf.put("execution.checkpointing.interval", config.get(IngestOptions.CHECKPOINT_INTERVAL).toMillis() + " ms");
    flinkConf.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
    flinkConf.put("state.backend.type", config.get(IngestOptions.STATE_BACKEND).name().toLowerCase(Locale.ROOT));
    flinkConf.put("taskmanager.numberOfTaskSlots", String.valueOf(config.get(IngestOptions.PARALLELISM)));
    // heap window state: G1's write barriers cost the ingest benchmark a third of its throughput (docs/perf/ingest-2026-12-08.md)
    flinkConf.put("env.java.opts.taskmanager", "-XX:+UseParallelGC");
    Map<String, Object> main = new LinkedHashMap<>();
    main.put("name", "flink-main-container");
    main.put("env", List.of(Map.of("name", "TESSERA_CONFIG", "value", CONFIG_DIR + "/tessera.properties")));
    main.put("volumeMounts", List.of(mount("config", CONFIG_DIR), mount("contracts", CONTRACTS_DIR), mount("secrets", SECRETS_DIR)));
    Map<String, Object> job = new LinkedHashMap<>();
    job.put("jarURI", "local:///opt/flink/usrlib/tessera-ingest-flink.jar");
    job.put("entryClass", "dev.tessera.ingest.job.IngestApplication");
    job.put("args", List.of("--contract", contractPath));
    job.put("parallelism", config.get(IngestOptions.PARALLELISM));
    job.put("upgradeMode", "savepoint");
    job.put("state", "running");
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("image", o.image("tessera-ingest"));
    spec.put("flinkVersion", o.flinkVersion());
    spec.put("serviceAccount", "flink");
    spec.put("flinkConfiguration", flinkConf);
    spec.put("podTemplate", Map.of("spec", Map.of("containers", List.of(main), "volumes", baseVolumes(contractItems))));
    spec.put("jobManager", Map.of("resource", Map.of("memory", "1024m", "cpu", 0.5)));
    spec.put("taskManager", Map.of("resource", Map.of("memory", "2048m", "cpu", 1)));
    spec.put("job", job);
    Map<String, Object> d = object("flink.apache.org/v1beta1", "FlinkDeployment", name, o,
        Map.of("tessera.dev/contract", c.id(), "tessera.dev/changelog-topic", c.changelogTopic()));
    d.put("spec", spec);
    return d;
  }

  private static List<Map<String, Object>> baseVolumes(List<Map<String, Object>> contractItems) {
    return List.of(volume("config", Map.of("configMap", Map.of("name", "tessera-config"))),
        volume("contracts", Map.of("configMap", Map.of("name", "tessera-contracts", "items", contractItems))),
        volume("secrets", Map.of("secret", Map.of("secretName", "tessera-secrets", "optional", true))));
  }

  private static Map<String, Object> volume(String name, Map<String, Object> source) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("name", name);
    v.putAll(source);
    return v;
  }

  private static Map<String, Object> mount(String name, String path) {
    return Map.of("name", name, "mountPath", path, "readOnly", !name.equals("data"));
  }

  private static Map<String, Object> probe(String path, int port, int initialDelay) {
    return Map.of("httpGet", Map.of("path", path, "port", port), "initialDelaySeconds", initialDelay, "periodSeconds", 10, "failureThreshold", 3);
  }

  private static Map<String, Object> object(String apiVersion, String kind, String name, Options o, Map<String, String> annotations) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", name);
    if (o.namespace() != null) {
      metadata.put("namespace", o.namespace());
    }
    metadata.put("labels", Map.of("app.kubernetes.io/part-of", "tessera", "app.kubernetes.io/name", name));
    if (annotations != null) {
      metadata.put("annotations", annotations);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("apiVersion", apiVersion);
    out.put("kind", kind);
    out.put("metadata", metadata);
    return out;
  }
}
