package dev.tessera.sdk.offline;

import dev.tessera.config.CoreOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.snapshot.ProgressListener;
import dev.tessera.offline.snapshot.SnapshotRequest;
import dev.tessera.offline.snapshot.SnapshotResult;
import dev.tessera.offline.snapshot.SnapshotService;
import dev.tessera.sdk.TesseraClientException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.catalog.Catalog;

/**
 * Training data for model teams: point-in-time correct snapshots and their replays, in-process
 * (the local engine) or as a Flink job, with the same configuration as the CLI ({@code
 * tessera.properties}). Needs {@code tessera-offline-store} on the class path (an optional
 * dependency of the SDK: serving applications leave it out and keep Flink and Iceberg off their
 * class path).
 *
 * <p>{@code
 * try (TesseraOffline offline = TesseraOffline.open(Path.of(".tessera"), null)) {
 *   TrainingSnapshot s = offline.trainingSnapshot("labels.parquet", "ts", List.of("customer_activity:*"), "train.parquet");
 *   TrainingSnapshot again = offline.replay(s.manifestPath(), "train-again.parquet");
 * }
 * }
 *
 * Failures are {@link TesseraClientException}s, as the online client's are.
 */
public final class TesseraOffline implements AutoCloseable {
  /** Where the snapshot join runs. */
  public enum Engine {
    LOCAL,
    FLINK
  }

  private final SnapshotService service;
  private final Catalog catalog;

  private TesseraOffline(TesseraConfig config, Engine engine) {
    this.catalog = call(() -> Catalogs.open(config));
    ContractRegistry registry = ContractRegistry.fromDirectory(Path.of(config.get(CoreOptions.CONTRACTS_DIR)));
    SnapshotService s = new SnapshotService(config, registry, catalog, ProgressListener.NONE);
    this.service = engine == null ? s : s.withEngine(engine == Engine.FLINK ? OfflineOptions.Engine.FLINK : OfflineOptions.Engine.LOCAL);
  }

  /** The configuration as the CLI finds it ({@code TesseraConfig.resolve}): {@code configFile}, else {@code TESSERA_CONFIG}, else {@code <home>/tessera.properties} if it exists, else defaults; unknown keys are refused. */
  public static TesseraOffline open(Path home, Path configFile) {
    return open(home, configFile, Map.of(), null);
  }

  /** With some keys overridden and an engine (null: {@code tessera.snapshot.engine}). */
  public static TesseraOffline open(Path home, Path configFile, Map<String, String> overrides, Engine engine) {
    return call(() -> new TesseraOffline(TesseraConfig.resolve(home, configFile, overrides), engine));
  }

  public static TesseraOffline open(TesseraConfig config, Engine engine) {
    return new TesseraOffline(config, engine);
  }

  /**
   * Builds a training snapshot: for every spine row, each feature as of the row's time.
   *
   * @param spine a {@code .csv} or {@code .parquet} file, or {@code iceberg:<namespace>.<table>}
   * @param timeColumn the spine column with each row's as-of time
   * @param features {@code <featureSet>:<feature>} or {@code <featureSet>:*}
   * @param output a {@code .parquet} or {@code .csv} file, or {@code iceberg:<namespace>.<table>}
   */
  public TrainingSnapshot trainingSnapshot(String spine, String timeColumn, List<String> features, String output) {
    return call(() -> of(service.create(new SnapshotRequest(spine, timeColumn, features, output))));
  }

  /** The rows of a manifest again, by Iceberg time travel; fails if the spine or a snapshot changed. */
  public TrainingSnapshot replay(Path manifest, String output) {
    return call(() -> of(service.replay(manifest, output)));
  }

  /** Runs {@code action}; what it throws reaches the caller as the SDK's one exception type. */
  static <T> T call(java.util.function.Supplier<T> action) {
    try {
      return action.get();
    } catch (RuntimeException e) {
      throw failure(e);
    }
  }

  static TesseraClientException failure(Exception e) {
    if (e instanceof TesseraClientException t) {
      return t;
    }
    TesseraException t = TesseraException.wrap(e);
    return TesseraClientException.of(0, t.code().name(), TesseraClientException.Kind.valueOf(t.code().kind().name()), t.getMessage(), e);
  }

  private static TrainingSnapshot of(SnapshotResult r) {
    return new TrainingSnapshot(r.output(), r.manifestPath(), r.manifest());
  }

  @Override
  public void close() {
    if (catalog instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw failure(e);
      }
    }
  }
}
