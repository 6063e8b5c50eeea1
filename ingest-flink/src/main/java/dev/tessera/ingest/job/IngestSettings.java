package dev.tessera.ingest.job;

import static java.util.Objects.requireNonNull;

import dev.tessera.config.TesseraConfig;
import java.time.Duration;
import java.util.Set;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

/**
 * How an ingest job connects: the Kafka cluster (null: none, file backfills only), where to start, whether to stop at the end of the
 * topic (backfills and tests), the Confluent schema ids of the contract schema, the source idleness
 * timeout, and the Tessera config (catalog, warehouse).
 */
public record IngestSettings(
    String bootstrapServers,
    String groupId,
    OffsetsInitializer startingOffsets,
    boolean bounded,
    Set<Integer> confluentSchemaIds,
    Duration idleTimeout,
    TesseraConfig config) {
  public IngestSettings {
    requireNonNull(groupId, "groupId is null");
    requireNonNull(startingOffsets, "startingOffsets is null");
    confluentSchemaIds = Set.copyOf(confluentSchemaIds);
    requireNonNull(idleTimeout, "idleTimeout is null");
    requireNonNull(config, "config is null");
  }
}
