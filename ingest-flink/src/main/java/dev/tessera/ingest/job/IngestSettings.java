package dev.tessera.ingest.job;

import static java.util.Objects.requireNonNull;

import dev.tessera.config.TesseraConfig;
import java.time.Duration;
import java.util.Set;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

/**
 * How an ingest job connects: the Kafka cluster (null: none, file backfills only), where to start, whether to stop at the end of the
 * topic (backfills and tests), the Confluent schema ids of the contract schema, the source idleness
 * timeout, the Tessera config (catalog, warehouse), whether this pipeline writes its topic's
 * events archive (one pipeline per topic in a job does; separate jobs on one topic may both, readers
 * drop the duplicates), and a backfill's window state to load (null: none).
 */
public record IngestSettings(
    String bootstrapServers,
    String groupId,
    OffsetsInitializer startingOffsets,
    boolean bounded,
    Set<Integer> confluentSchemaIds,
    Duration idleTimeout,
    TesseraConfig config,
    boolean archive,
    String bootstrap) {
  public IngestSettings {
    requireNonNull(groupId, "groupId is null");
    requireNonNull(startingOffsets, "startingOffsets is null");
    confluentSchemaIds = Set.copyOf(confluentSchemaIds);
    requireNonNull(idleTimeout, "idleTimeout is null");
    requireNonNull(config, "config is null");
  }

  /** Settings of a pipeline that also writes its topic's events archive. */
  public IngestSettings(String bootstrapServers, String groupId, OffsetsInitializer startingOffsets, boolean bounded,
      Set<Integer> confluentSchemaIds, Duration idleTimeout, TesseraConfig config) {
    this(bootstrapServers, groupId, startingOffsets, bounded, confluentSchemaIds, idleTimeout, config, true, null);
  }

  /** The job's Kafka clients: these brokers, with every Kafka client property of the config (security, tuning). */
  public dev.tessera.kafka.KafkaClients kafka() {
    return dev.tessera.kafka.KafkaClients.of(config).withBootstrapServers(bootstrapServers);
  }

  /** The same settings with or without the events archive. */
  public IngestSettings withArchive(boolean archive) {
    return new IngestSettings(bootstrapServers, groupId, startingOffsets, bounded, confluentSchemaIds, idleTimeout, config, archive, bootstrap);
  }

  /**
   * The same settings, loading a backfill's window state ({@code backfill.StateBootstrap} file)
   * when the job resumes from the savepoint that backfill started from.
   */
  public IngestSettings withBootstrap(String bootstrap) {
    return new IngestSettings(bootstrapServers, groupId, startingOffsets, bounded, confluentSchemaIds, idleTimeout, config, archive, bootstrap);
  }
}
