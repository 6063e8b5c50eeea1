package dev.tessera.config;

import java.time.Duration;
import java.util.List;

/** Configuration keys of ingest jobs. Documented in docs/configuration.md. */
public final class IngestOptions {
  private IngestOptions() {}

  /** Where a Kafka source starts when the group has no committed offsets. */
  public enum StartFrom {
    EARLIEST,
    LATEST
  }

  /** Flink keyed-state backend. */
  public enum StateBackend {
    HASHMAP,
    ROCKSDB
  }

  /** Declared in {@link dev.tessera.config.CoreOptions}: online serving reads it too. */
  public static final ConfigOption<String> BOOTSTRAP_SERVERS = dev.tessera.config.CoreOptions.KAFKA_BOOTSTRAP_SERVERS;
  public static final ConfigOption<String> GROUP_ID_PREFIX = ConfigOption.string(
      "tessera.ingest.group-id-prefix", "tessera-ingest", "Consumer group of a job: <prefix>.<feature set>.v<major>.");
  public static final ConfigOption<StartFrom> START_FROM = ConfigOption.enumeration(
      "tessera.ingest.start-from", StartFrom.class, StartFrom.EARLIEST,
      "Where a new consumer group starts (earliest or latest); afterwards the committed offsets (committed on checkpoints) are used.");
  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOption.duration(
      "tessera.ingest.checkpoint-interval", Duration.ofSeconds(10), "Checkpoint interval: Iceberg commits and offset commits happen on checkpoints.");
  public static final ConfigOption<String> CHECKPOINT_DIR = ConfigOption.string(
      "tessera.ingest.checkpoint-dir", "${home}/checkpoints", "Where checkpoints go (a local path, s3://... or hdfs://... on a cluster).");
  public static final ConfigOption<StateBackend> STATE_BACKEND = ConfigOption.enumeration(
      "tessera.ingest.state-backend", StateBackend.class, StateBackend.HASHMAP, "Keyed state backend: hashmap (heap) or rocksdb (larger than memory).");
  public static final ConfigOption<Integer> PARALLELISM = ConfigOption.integer(
      "tessera.ingest.parallelism", 2, "Parallelism of an ingest job.");
  public static final ConfigOption<Duration> IDLE_TIMEOUT = ConfigOption.duration(
      "tessera.ingest.idle-timeout", Duration.ofSeconds(30), "A source split with no events for this long stops holding back the watermark.");
  public static final ConfigOption<String> CONFLUENT_SCHEMA_IDS = ConfigOption.string(
      "tessera.ingest.confluent-schema-ids", null, "For encoding: confluent, the accepted schema registry ids (comma-separated); empty accepts any.");

  public static final ConfigOption<Boolean> ARCHIVE = ConfigOption.bool(
      "tessera.ingest.archive", true,
      "Whether the job writes its source topic's events archive (<namespace>.<topic>__events), which backfills read.");

  public static final ConfigOption<Integer> CHANGELOG_PARTITIONS = ConfigOption.integer("tessera.ingest.changelog-partitions", 1,
      "Partitions of a changelog topic Tessera creates (an existing topic is kept as it is); rows of one key always go to one partition.");
  public static final ConfigOption<Integer> DLQ_PARTITIONS = ConfigOption.integer("tessera.ingest.dlq-partitions", 1,
      "Partitions of a dead-letter topic Tessera creates (an existing topic is kept as it is).");
  public static final ConfigOption<Integer> REPLICATION_FACTOR = ConfigOption.integer("tessera.ingest.replication-factor", -1,
      "Replication factor of the changelog and DLQ topics Tessera creates; -1: the brokers' default.replication.factor.");

  public static final List<ConfigOption<?>> ALL = List.of(GROUP_ID_PREFIX, START_FROM, CHECKPOINT_INTERVAL,
      CHECKPOINT_DIR, STATE_BACKEND, PARALLELISM, IDLE_TIMEOUT, CONFLUENT_SCHEMA_IDS, ARCHIVE, CHANGELOG_PARTITIONS, DLQ_PARTITIONS,
      REPLICATION_FACTOR);
}
