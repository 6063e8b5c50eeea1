package dev.tessera.model.config;

import static java.util.Objects.requireNonNull;

import dev.tessera.contracts.model.FeatureRef;
import dev.tessera.contracts.model.SemVer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A model service as its config file declares it ({@code kind: ModelService}): which ONNX artifact
 * to serve, which features feed it (in the model's column order), what to do with a missing value,
 * how to batch, and where to run. Read by {@link ModelConfigParser}; checked against the contracts
 * by {@link ModelConfigCheck}.
 *
 * @param file the config file
 * @param consumer the consumer the service reads features as: every feature set it reads must list it
 * @param artifact the ONNX file, resolved against the config's directory
 * @param entityKeys the keys a request gives for each entity
 */
public record ModelConfig(Path file, String name, SemVer version, String consumer, Path artifact, List<String> entityKeys,
    List<Input> inputs, Missing missing, Batching batching, Runtime runtime, Candidate candidate, Promotion promotion, FeaturesMode features) {
  public static final String API_VERSION = "tessera/v1";
  public static final String KIND = "ModelService";

  public ModelConfig {
    requireNonNull(file, "file is null");
    requireNonNull(name, "name is null");
    entityKeys = List.copyOf(entityKeys);
    inputs = List.copyOf(inputs);
    promotion = promotion == null ? Promotion.DEFAULT : promotion;
    features = features == null ? FeaturesMode.REMOTE : features;
  }

  /** The same config with the primary and the candidate swapped (what a promotion serves). */
  public ModelConfig swapped() {
    if (candidate == null) {
      throw new IllegalStateException("no candidate");
    }
    return new ModelConfig(file, name, candidate.version(), consumer, candidate.artifact(), entityKeys, inputs, missing, batching, runtime,
        new Candidate(artifact, version, candidate.mode(), candidate.weight()), promotion, features);
  }

  /** Where features come from: the online service over HTTP, or a local RocksDB this service materializes from the changelogs. */
  public enum FeaturesMode {
    REMOTE, EMBEDDED;

    public String yamlName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** How a candidate version runs beside the primary. */
  public enum Mode {
    /** Scored and logged for every request, never returned. */
    SHADOW,
    /** Answers a share of requests ({@link Candidate#weight}); scored and logged for all. */
    CANARY;

    public String yamlName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A second version served beside the primary: its artifact, its version, how, and (canary) which share of requests it answers. */
  public record Candidate(Path artifact, SemVer version, Mode mode, double weight) {}

  /**
   * The gates a candidate passes before {@code tessera model promote} swaps it in: at least
   * {@code minRequests} scored, p99 latency at most {@code maxP99}, and the mean absolute difference
   * from the primary of output {@code output} (null: the first output) at most {@code maxDisagreement}.
   */
  public record Promotion(long minRequests, Duration maxP99, String output, double maxDisagreement) {
    public static final Promotion DEFAULT = new Promotion(1000, Duration.ofMillis(50), null, 0.05);
  }

  /** One model input: a feature, and what a missing value of it becomes (null: the config's default). */
  public record Input(FeatureRef feature, Missing missing) {
    /** The policy that applies to this input. */
    public Missing policy(Missing fallback) {
      return missing != null ? missing : fallback;
    }
  }

  /** A missing value (no row, expired, or a feature missing from the row's version): a number, or the entity is refused (422). */
  public record Missing(boolean reject, double value) {
    public static final Missing REJECT = new Missing(true, 0);

    public static Missing value(double v) {
      return new Missing(false, v);
    }

    @Override
    public String toString() {
      return reject ? "reject" : Double.toString(value);
    }
  }

  /** Micro-batching of concurrent requests: at most {@code maxBatchSize} entities, waiting at most {@code maxWait}. */
  public record Batching(int maxBatchSize, Duration maxWait) {
    public static final Batching DEFAULT = new Batching(256, Duration.ofMillis(2));
  }

  /** Where the model runs. */
  public record Runtime(Provider provider, int deviceId) {
    public static final Runtime DEFAULT = new Runtime(Provider.CPU, 0);
  }

  /** An ONNX Runtime execution provider. */
  public enum Provider {
    CPU, CUDA;

    public String yamlName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
