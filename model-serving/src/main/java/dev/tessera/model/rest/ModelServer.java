package dev.tessera.model.rest;

import dev.tessera.config.ModelOptions;
import dev.tessera.config.CoreOptions;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.model.config.ModelConfig;
import dev.tessera.model.log.PredictionLog;
import dev.tessera.model.predict.Deployment;
import dev.tessera.model.predict.FeatureSource;
import dev.tessera.model.predict.Gates;
import dev.tessera.model.predict.Predictor;
import dev.tessera.model.service.ModelRuntime;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The served model: its runtime (loaded by {@link ModelServiceMain}), the micro-batching predictor,
 * the prediction log, the metrics, and the atomic promote and rollback.
 */
@Startup
@ApplicationScoped
public class ModelServer {
  private static final Logger LOG = LoggerFactory.getLogger(ModelServer.class);

  private final ModelRuntime runtime;
  private final FeatureSource features;
  private final PredictionLog log;
  private final Predictor predictor;

  @Inject
  public ModelServer(MeterRegistry meters) {
    runtime = ModelRuntime.current();
    ModelConfig config = runtime.config();
    features = runtime.features(meters);
    dev.tessera.kafka.KafkaClients kafka = dev.tessera.kafka.KafkaClients.of(runtime.tessera());
    String bootstrap = kafka.bootstrapServers();
    boolean logging = runtime.tessera().get(ModelOptions.LOG_ENABLED);
    log = logging ? new PredictionLog(config.name(), kafka, runtime.tessera().get(ModelOptions.LOG_BUFFER),
        runtime.tessera().get(ModelOptions.LOG_PARTITIONS), runtime.tessera().get(ModelOptions.LOG_REPLICATION_FACTOR)) : null;
    if (logging && (bootstrap == null || bootstrap.isBlank())) {
      LOG.warn("No tessera.kafka.bootstrap-servers: predictions are not logged (each is counted as dropped)");
    }
    predictor = new Predictor(config, runtime.pinned(), runtime.deployment(), features, log, meters, runtime.tessera().get(ModelOptions.BATCH_WORKERS),
        runtime.tessera().get(ModelOptions.MAX_QUEUED));
    if (log != null) {
      FunctionCounter.builder("tessera.model.log.dropped", log, PredictionLog::dropped).description("Prediction log records dropped")
          .tag("model", config.name()).register(meters);
      FunctionCounter.builder("tessera.model.log.written", log, PredictionLog::written).description("Prediction log records written")
          .tag("model", config.name()).register(meters);
      Gauge.builder("tessera.model.log.buffered", log, PredictionLog::buffered).tag("model", config.name()).register(meters);
    }
    Gauge.builder("tessera.model.info", () -> 1).description("The model served: primary version and provider in use")
        .tag("model", config.name()).tag("provider", config.runtime().provider().yamlName())
        .tag("primary", runtime.deployment().get().primary().version().toString()).register(meters);
    if (runtime.authEnabled() && runtime.callerKeys() == 0) {
      LOG.warn("No API keys configured (tessera.model.api-keys or tessera.online.api-keys): every /v1 request will be answered 401");
    }
    Deployment d = runtime.deployment().get();
    LOG.info("Serving model {} {} ({}){} on {}, features {} from {}", config.name(), d.primary().version(), d.state(),
        d.candidate() == null ? "" : ", candidate " + d.candidate().version() + " (" + d.mode().yamlName() + ")",
        config.runtime().provider().yamlName(), config.features().yamlName(), runtime.pinned().values());
  }

  public ModelRuntime runtime() {
    return runtime;
  }

  public Predictor predictor() {
    return predictor;
  }

  public FeatureSource features() {
    return features;
  }

  public PredictionLog log() {
    return log;
  }

  /** The gate output's name: configured, else the primary's first output. */
  public String gateOutput() {
    String configured = runtime.config().promotion().output();
    return configured != null ? configured : runtime.deployment().get().primary().model().outputs().keySet().iterator().next();
  }

  /** The gates of the current candidate. */
  public List<Gates.Gate> gates(Deployment d) {
    return Gates.check(d.candidate().stats().snapshot(), runtime.config().promotion(), gateOutput());
  }

  /** Swaps the candidate in when every gate passes; FAILED_PRECONDITION naming each failing gate otherwise. */
  public synchronized Deployment promote() {
    Deployment d = runtime.deployment().get();
    if (d.candidate() == null) {
      throw new TesseraException(ErrorCode.FAILED_PRECONDITION, d.previous() != null
          ? "Version " + d.primary().version() + " is already promoted; roll back first to promote again"
          : "No candidate to promote: the model config names none (candidate: {artifact, version, mode})");
    }
    List<Gates.Gate> failed = gates(d).stream().filter(g -> !g.passed()).toList();
    if (!failed.isEmpty()) {
      throw new TesseraException(ErrorCode.FAILED_PRECONDITION, "Cannot promote " + d.candidate().version() + " over " + d.primary().version()
          + ": " + failed.size() + " gate(s) failed: " + String.join("; ", failed.stream().map(Gates.Gate::message).toList()));
    }
    Deployment promoted = d.promoted();
    runtime.persist(promoted);
    runtime.deployment().set(promoted);
    LOG.info("Promoted {} {} over {}", runtime.config().name(), promoted.primary().version(), d.primary().version());
    return promoted;
  }

  /** Restores the deployment before the last promotion; FAILED_PRECONDITION when there was none. */
  public synchronized Deployment rollback() {
    Deployment d = runtime.deployment().get();
    if (d.previous() == null) {
      throw new TesseraException(ErrorCode.FAILED_PRECONDITION, "Nothing to roll back: " + d.primary().version()
          + " is the configured primary (no promotion since the config was deployed)");
    }
    runtime.persist(d.previous());
    runtime.deployment().set(d.previous());
    LOG.info("Rolled {} back to {} (from {})", runtime.config().name(), d.previous().primary().version(), d.primary().version());
    return d.previous();
  }

  void stop(@Observes ShutdownEvent event) {
    predictor.close();
    if (log != null) {
      log.close();
    }
    features.close();
    runtime.close();
  }
}
