package dev.tessera.config;

import java.time.Duration;
import java.util.List;

/**
 * Configuration keys of the model service template (model-serving): where its features come from,
 * who may call it, how it batches and logs. The model itself is described by its model config
 * file (docs/model-serving.md). Documented in docs/configuration.md.
 */
public final class ModelOptions {
  private ModelOptions() {}

  public static final ConfigOption<String> CONFIG = ConfigOption.string("tessera.model.config", null,
      "The model config file (kind: ModelService) the service serves; `tessera model serve --config` sets it.");
  public static final ConfigOption<String> ONLINE_URL = ConfigOption.string("tessera.model.online-url", "http://localhost:8080",
      "Base URL of the online feature service the model service reads features from (the port of `tessera up`).");
  public static final ConfigOption<String> ONLINE_API_KEY = ConfigOption.string("tessera.model.online-api-key", null,
      "API key of the model's consumer at the online service; empty: TESSERA_API_KEY, else the key of `tessera up` in the home.");
  public static final ConfigOption<Boolean> AUTH_ENABLED = ConfigOption.bool("tessera.model.auth.enabled", true,
      "Require an API key (X-API-Key) on /v1/models; false disables access control (say so explicitly).");
  public static final ConfigOption<String> API_KEYS = ConfigOption.string("tessera.model.api-keys", null,
      "Callers' API keys as consumer:key pairs (as tessera.online.api-keys, which is the default); consumer '*' may also promote and roll back.");
  public static final ConfigOption<Integer> MAX_ENTITIES = ConfigOption.integer("tessera.model.max-entities", 10_000,
      "Entities in one predict request; more are answered 413.");
  public static final ConfigOption<Integer> MAX_QUEUED = ConfigOption.integer("tessera.model.max-queued", 20_000,
      "Entities waiting for a batch; more are answered 503 with Retry-After.");
  public static final ConfigOption<Integer> BATCH_WORKERS = ConfigOption.integer("tessera.model.batch-workers", 4,
      "Batches in flight at once (each: one feature lookup, then one ONNX Runtime run); batches are formed one at a time.");
  public static final ConfigOption<Duration> FETCH_TIMEOUT = ConfigOption.duration("tessera.model.fetch-timeout", Duration.ofSeconds(2),
      "How long a batch's feature lookup may take before its requests are answered 503.");
  public static final ConfigOption<Boolean> LOG_ENABLED = ConfigOption.bool("tessera.model.log.enabled", true,
      "Write every prediction to the Kafka topic tessera.predictions.<model> (needs tessera.kafka.bootstrap-servers).");
  public static final ConfigOption<Integer> LOG_BUFFER = ConfigOption.integer("tessera.model.log.buffer", 20_000,
      "Prediction log records held for Kafka; when full, records are dropped and counted, never waited for.");

  public static final ConfigOption<Integer> LOG_PARTITIONS = ConfigOption.integer("tessera.model.log.partitions", 1,
      "Partitions of the prediction log topic (tessera.predictions.<model>) when the model service creates it; an existing topic is kept.");
  public static final ConfigOption<Integer> LOG_REPLICATION_FACTOR = ConfigOption.integer("tessera.model.log.replication-factor", -1,
      "Replicas of the prediction log topic when the model service creates it; -1: the brokers' default.replication.factor.");

  public static final List<ConfigOption<?>> ALL = List.of(CONFIG, ONLINE_URL, ONLINE_API_KEY, AUTH_ENABLED, API_KEYS, MAX_ENTITIES, MAX_QUEUED,
      BATCH_WORKERS, FETCH_TIMEOUT, LOG_ENABLED, LOG_BUFFER, LOG_PARTITIONS, LOG_REPLICATION_FACTOR);
}
