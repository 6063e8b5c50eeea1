package dev.tessera.model.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.config.AllOptions;
import dev.tessera.config.ApiKeys;
import dev.tessera.config.CoreOptions;
import dev.tessera.config.ModelOptions;
import dev.tessera.config.OnlineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.Problem;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.model.config.ModelConfig;
import dev.tessera.model.config.ModelConfigCheck;
import dev.tessera.model.config.ModelConfigParser;
import dev.tessera.model.onnx.OnnxModel;
import dev.tessera.model.predict.Deployment;
import dev.tessera.model.predict.ModelVersion;
import dev.tessera.model.predict.EmbeddedFeatures;
import dev.tessera.model.predict.FeatureSource;
import dev.tessera.model.predict.RemoteFeatures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Everything a model service needs, loaded and checked before it listens: the Tessera config, the
 * model config (every problem with its position), the config against the contracts (inputs exist
 * and are numeric, keys cover each feature set's, the consumer is listed), the ONNX signatures of
 * the primary and the candidate, and the deployment (a promotion survives a restart: it is kept in
 * {@code <home>/models/<name>/deployment.json} while the config names the same two versions).
 */
public final class ModelRuntime implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static volatile ModelRuntime current;

  private final TesseraConfig tessera;
  private final ModelConfig config;
  private final ContractRegistry registry;
  private final Map<String, String> pinned;
  private final AtomicReference<Deployment> deployment;
  private final Path stateFile;
  private final ApiKeys callers;
  private final boolean auth;

  private ModelRuntime(TesseraConfig tessera, ModelConfig config, ContractRegistry registry, Deployment initial, Path stateFile) {
    this.tessera = tessera;
    this.config = config;
    this.registry = registry;
    this.pinned = pin(config, registry);
    this.deployment = new AtomicReference<>(initial);
    this.stateFile = stateFile;
    this.auth = tessera.get(ModelOptions.AUTH_ENABLED);
    String keys = tessera.find(ModelOptions.API_KEYS).or(() -> tessera.find(OnlineOptions.API_KEYS)).orElse("");
    this.callers = ApiKeys.parse(tessera.find(ModelOptions.API_KEYS).isPresent() ? ModelOptions.API_KEYS.key() : OnlineOptions.API_KEYS.key(), keys);
  }

  /**
   * Each feature set as the config names it -> {@code <name>@<major>}, resolved when the service
   * started: a new major that appears while it runs (or on the online service) does not change what
   * the model reads; a restart resolves again, and checks the config against it.
   */
  public Map<String, String> pinned() {
    return pinned;
  }

  private static Map<String, String> pin(ModelConfig config, ContractRegistry registry) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (ModelConfig.Input input : config.inputs()) {
      out.computeIfAbsent(input.feature().featureSet(), k -> {
        var c = registry.resolve(k).orElseThrow();
        return c.name() + "@" + c.majorVersion();
      });
    }
    return java.util.Collections.unmodifiableMap(out); // in input order
  }

  /** The runtime loaded by the service's main (or on first use). */
  public static synchronized ModelRuntime current() {
    if (current == null) {
      current = load(TesseraConfig.resolve(null, null, Map.of()));
    }
    return current;
  }

  public static synchronized void install(ModelRuntime runtime) {
    current = runtime;
  }

  /** Loads and checks everything; INVALID_ARGUMENT listing every problem (file:line:column) when anything is wrong. */
  public static ModelRuntime load(TesseraConfig tessera) {
    tessera.requireKnown(AllOptions.ALL);
    String file = tessera.find(ModelOptions.CONFIG).orElseThrow(() -> new TesseraException(ErrorCode.INVALID_ARGUMENT,
        "No model config: set " + ModelOptions.CONFIG.key() + " (tessera model serve --config <model.yaml>)"));
    Path path = Path.of(file);
    if (!Files.isRegularFile(path)) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Model config '" + path + "' does not exist");
    }
    ModelConfigParser.Result parsed = new ModelConfigParser().parse(path);
    ContractRegistry registry = ContractRegistry.fromDirectory(Path.of(tessera.get(CoreOptions.CONTRACTS_DIR)));
    if (parsed.config() != null) {
      ModelConfigCheck.check(parsed.config(), registry, parsed.problems());
    }
    if (!parsed.problems().isEmpty()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, parsed.problems().list().size() + " problem(s) in the model config:\n  "
          + parsed.problems().list().stream().map(Problem::format).collect(Collectors.joining("\n  ")));
    }
    ModelConfig config = parsed.config();
    OnnxModel primary = OnnxModel.open(config);
    ModelVersion primaryVersion = new ModelVersion(config.version(), config.artifact().getFileName().toString(), primary);
    ModelVersion candidateVersion = null;
    if (config.candidate() != null) {
      OnnxModel candidate = OnnxModel.open(config, config.candidate().artifact());
      if (candidate.inputType() != primary.inputType() || !candidate.outputs().keySet().equals(primary.outputs().keySet())) {
        String message = config.file().getFileName() + ": candidate " + config.candidate().artifact().getFileName() + " takes "
            + candidate.inputType() + " and answers " + candidate.outputs().keySet() + "; primary " + config.artifact().getFileName()
            + " takes " + primary.inputType() + " and answers " + primary.outputs().keySet()
            + ": a candidate must take the same input and answer the same outputs";
        candidate.close();
        primary.close();
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, message);
      }
      candidateVersion = new ModelVersion(config.candidate().version(), config.candidate().artifact().getFileName().toString(), candidate);
    }
    Deployment initial = new Deployment(primaryVersion, candidateVersion, config.candidate() == null ? null : config.candidate().mode(),
        config.candidate() == null ? 0 : config.candidate().weight(), null);
    Path stateFile = tessera.home().resolve("models").resolve(config.name()).resolve("deployment.json");
    initial = restore(initial, stateFile);
    if (config.features() == ModelConfig.FeaturesMode.EMBEDDED && tessera.find(CoreOptions.KAFKA_BOOTSTRAP_SERVERS).isEmpty()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, config.file() + ": features mode embedded materializes the changelogs:"
          + " set " + CoreOptions.KAFKA_BOOTSTRAP_SERVERS.key());
    }
    return new ModelRuntime(tessera, config, registry, initial, stateFile);
  }

  /** The promoted deployment when the state file records a promotion of this config's candidate over its primary. */
  private static Deployment restore(Deployment configured, Path stateFile) {
    if (configured.candidate() == null || !Files.isRegularFile(stateFile)) {
      return configured;
    }
    try {
      JsonNode s = JSON.readTree(stateFile.toFile());
      if (configured.candidate().version().toString().equals(s.path("promoted").asText())
          && configured.primary().version().toString().equals(s.path("over").asText())) {
        return configured.promoted();
      }
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(ModelRuntime.class).warn("Cannot read {} ({}); serving the configured primary", stateFile, e.toString());
    }
    return configured;
  }

  /** Records the deployment so that a restart serves the same version. */
  public void persist(Deployment d) {
    try {
      Files.createDirectories(stateFile.getParent());
      if (d.previous() == null) {
        Files.deleteIfExists(stateFile);
      } else {
        Path tmp = stateFile.resolveSibling("deployment.json.tmp");
        Files.writeString(tmp, JSON.writeValueAsString(Map.of("promoted", d.primary().version().toString(),
            "over", d.previous().primary().version().toString(), "at", java.time.Instant.now().toString())));
        Files.move(tmp, stateFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.IO_ERROR, "Cannot record the deployment in " + stateFile + ": " + e.getMessage(), e);
    }
  }

  public TesseraConfig tessera() {
    return tessera;
  }

  public ModelConfig config() {
    return config;
  }

  public AtomicReference<Deployment> deployment() {
    return deployment;
  }

  /** The consumer of a caller's key (null when access control is off); UNAUTHENTICATED when missing or unknown. */
  public String authenticate(String apiKey) {
    if (!auth) {
      return null;
    }
    if (apiKey == null || apiKey.isBlank()) {
      throw new TesseraException(ErrorCode.UNAUTHENTICATED, "Missing API key: send it in the X-API-Key header");
    }
    return callers.consumer(apiKey).orElseThrow(() -> new TesseraException(ErrorCode.UNAUTHENTICATED, "Unknown API key in the X-API-Key header"));
  }

  public boolean authEnabled() {
    return auth;
  }

  public int callerKeys() {
    return callers.size();
  }

  /** The features: from the online service with the model consumer's key, or (embedded) from a local store this service materializes. */
  public FeatureSource features(io.micrometer.core.instrument.MeterRegistry meters) {
    if (config.features() == ModelConfig.FeaturesMode.EMBEDDED) {
      return new EmbeddedFeatures(tessera, config, registry, meters);
    }
    return new RemoteFeatures(tessera.get(ModelOptions.ONLINE_URL), onlineApiKey(), tessera.get(ModelOptions.FETCH_TIMEOUT));
  }

  /** {@code tessera.model.online-api-key}, else TESSERA_API_KEY, else the key of `tessera up` in the home. */
  private String onlineApiKey() {
    String key = tessera.find(ModelOptions.ONLINE_API_KEY).orElse(System.getenv("TESSERA_API_KEY"));
    Path upKey = tessera.home().resolve("up/api-key");
    if ((key == null || key.isBlank()) && Files.isRegularFile(upKey)) {
      try {
        key = Files.readString(upKey).trim();
      } catch (IOException e) {
        throw new TesseraException(ErrorCode.IO_ERROR, "Cannot read " + upKey + ": " + e.getMessage(), e);
      }
    }
    return key;
  }

  @Override
  public void close() {
    Deployment d = deployment.get();
    java.util.Set<OnnxModel> models = new java.util.HashSet<>();
    for (Deployment x = d; x != null; x = x.previous()) {
      models.add(x.primary().model());
      if (x.candidate() != null) {
        models.add(x.candidate().model());
      }
    }
    models.forEach(OnnxModel::close);
  }
}
