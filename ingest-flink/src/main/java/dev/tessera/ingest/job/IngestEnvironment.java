package dev.tessera.ingest.job;

import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.config.IngestOptions;
import dev.tessera.offline.FlinkClusters;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The environment and settings of an ingest job from configuration; where it runs is {@link
 * FlinkClusters}'.
 */
public final class IngestEnvironment {
  private IngestEnvironment() {}

  /** The Flink environment for an ingest job, per configuration. */
  public static StreamExecutionEnvironment environment(TesseraConfig config, Path resumeFrom) {
    Configuration flink = new Configuration();
    flink.set(StateBackendOptions.STATE_BACKEND, config.get(IngestOptions.STATE_BACKEND).name().toLowerCase());
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, uri(config.get(IngestOptions.CHECKPOINT_DIR)));
    // keep the last checkpoint when a job is cancelled, so it can resume from it (--resume-from)
    flink.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        org.apache.flink.configuration.ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    if (resumeFrom != null) {
      flink.set(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH, resumeFrom.toUri().toString());
    }
    StreamExecutionEnvironment env = FlinkClusters.environment(config, config.get(IngestOptions.PARALLELISM), flink);
    env.enableCheckpointing(config.get(IngestOptions.CHECKPOINT_INTERVAL).toMillis());
    return env;
  }

  /** Settings of the job of {@code contract}; {@code bounded} stops at the topic's current end. */
  public static IngestSettings settings(TesseraConfig config, FeatureSetContract contract, boolean bounded) {
    Set<Integer> ids = config.find(IngestOptions.CONFLUENT_SCHEMA_IDS)
        .map(s -> Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).map(x -> {
          try {
            return Integer.valueOf(x);
          } catch (NumberFormatException e) {
            throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read tessera.ingest.confluent-schema-ids: '" + x + "' is not an integer");
          }
        }).collect(Collectors.toSet()))
        .orElse(Set.of());
    OffsetResetStrategy reset = config.get(IngestOptions.START_FROM) == IngestOptions.StartFrom.EARLIEST
        ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST;
    return new IngestSettings(config.find(IngestOptions.BOOTSTRAP_SERVERS).orElse(null),
        config.get(IngestOptions.GROUP_ID_PREFIX) + "." + contract.name() + ".v" + contract.majorVersion(),
        OffsetsInitializer.committedOffsets(reset), bounded, ids, config.get(IngestOptions.IDLE_TIMEOUT), config);
  }

  private static String uri(String location) {
    return location.contains("://") ? location : Path.of(location).toAbsolutePath().toUri().toString();
  }
}
