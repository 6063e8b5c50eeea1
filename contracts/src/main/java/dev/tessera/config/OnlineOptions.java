package dev.tessera.config;

import java.time.Duration;
import java.util.List;

/**
 * Configuration keys of the online feature service (online-serving). Declared here, beside the
 * other shared options, so that one config file serves every component and the CLI can reject
 * unknown keys without the service on its class path. Documented in docs/configuration.md.
 */
public final class OnlineOptions {
  private OnlineOptions() {}

  /** Where online values live. */
  public enum Store {
    ROCKSDB,
    REDIS
  }

  public static final ConfigOption<Store> STORE = ConfigOption.enumeration("tessera.online.store", Store.class, Store.ROCKSDB,
      "rocksdb: each replica materialises every changelog partition into a local RocksDB; redis: one shared store written by a consumer group.");
  public static final ConfigOption<String> ROCKSDB_DIR = ConfigOption.string(
      "tessera.online.rocksdb.dir", "${home}/online", "Directory of the local RocksDB store.");
  public static final ConfigOption<Long> ROCKSDB_BLOCK_CACHE = ConfigOption.bytes(
      "tessera.online.rocksdb.block-cache", 256L << 20, "RocksDB block cache; size it to the hot set of the served feature sets.");
  public static final ConfigOption<Long> ROCKSDB_ROW_CACHE = ConfigOption.bytes(
      "tessera.online.rocksdb.row-cache", 128L << 20, "In-process cache of stored rows in front of RocksDB (never older than the store); 0 disables it.");
  /** A single Redis (with replicas behind Sentinel or a managed endpoint) or a Redis Cluster. */
  public enum RedisMode {
    STANDALONE,
    CLUSTER
  }

  public static final ConfigOption<RedisMode> REDIS_MODE = ConfigOption.enumeration("tessera.online.redis.mode", RedisMode.class, RedisMode.STANDALONE,
      "standalone: one Redis endpoint; cluster: a Redis Cluster, tessera.online.redis.uri lists seed nodes separated by commas.");
  public static final ConfigOption<String> REDIS_URI = ConfigOption.string(
      "tessera.online.redis.uri", "redis://127.0.0.1:6379",
      "Redis URI of the shared store (redis://[password@]host:port[/db], rediss:// for TLS); in cluster mode, seed node URIs separated by commas.");
  public static final ConfigOption<Integer> REDIS_SLOT_GROUPS = ConfigOption.integer("tessera.online.redis.slot-groups", 64,
      "Cluster mode: hash-tag groups per changelog topic (each a slot, an atomic batch and its own offsets); fixed once a store holds data.");
  public static final ConfigOption<String> REDIS_PREFIX = ConfigOption.string(
      "tessera.online.redis.prefix", "tessera:", "Prefix of every Redis key the store writes.");
  public static final ConfigOption<Boolean> MATERIALIZE = ConfigOption.bool("tessera.online.materialize", true,
      "Whether this replica writes the store from the changelog. With redis, set false on read-only replicas; the writers form a consumer group.");
  public static final ConfigOption<String> MATERIALIZER_GROUP = ConfigOption.string("tessera.online.materializer-group",
      "tessera-online-materializer", "Consumer group of the Redis materializers.");
  public static final ConfigOption<Boolean> AUTH_ENABLED = ConfigOption.bool("tessera.online.auth.enabled", true,
      "Require an API key (X-API-Key) on /v1; false disables access control (say so explicitly).");
  public static final ConfigOption<String> API_KEYS = ConfigOption.string("tessera.online.api-keys", null,
      "API keys as consumer:key pairs, comma-separated (consumer:sha256:<hex> stores only a hash); consumer '*' may read every feature set.");
  public static final ConfigOption<Integer> MAX_IN_FLIGHT = ConfigOption.integer("tessera.online.max-in-flight", 256,
      "Requests served at once; more are answered 503 with Retry-After.");
  public static final ConfigOption<Integer> MAX_ENTITIES = ConfigOption.integer("tessera.online.max-entities", 10_000,
      "Entities in one lookup request; more are answered 413.");
  public static final ConfigOption<Long> MAX_BODY_SIZE = ConfigOption.bytes("tessera.online.max-body-size", 4L << 20,
      "Largest request body; a larger one is answered 413.");
  public static final ConfigOption<Duration> LAG_INTERVAL = ConfigOption.duration("tessera.online.lag-interval", Duration.ofSeconds(2),
      "How often changelog end offsets are read for readiness and lag.");
  public static final ConfigOption<Duration> STATUS_SAMPLE_INTERVAL = ConfigOption.duration("tessera.online.status-sample-interval",
      Duration.ofSeconds(30), "How often the catalog samples each feature set's live status for its last-hour charts (/ui).");
  public static final ConfigOption<String> MODELS_DIR = ConfigOption.string("tessera.online.models-dir", null,
      "Directory of model service configs (kind: ModelService) the catalog's lineage shows as readers of the feature sets they use.");

  public static final List<ConfigOption<?>> ALL = List.of(STORE, ROCKSDB_DIR, ROCKSDB_BLOCK_CACHE, ROCKSDB_ROW_CACHE, REDIS_MODE, REDIS_URI, REDIS_SLOT_GROUPS, REDIS_PREFIX, MATERIALIZE, MATERIALIZER_GROUP,
      AUTH_ENABLED, API_KEYS, MAX_IN_FLIGHT, MAX_ENTITIES, MAX_BODY_SIZE, LAG_INTERVAL, STATUS_SAMPLE_INTERVAL, MODELS_DIR);
}
