package dev.tessera.offline.snapshot;

import dev.tessera.offline.snapshot.join.FeatureSetRead;
import dev.tessera.offline.snapshot.join.FlinkPointInTimeJoin;
import dev.tessera.offline.snapshot.join.PointInTimeJoin;
import dev.tessera.offline.snapshot.spine.CsvSpine;
import dev.tessera.offline.snapshot.spine.IcebergSpine;
import dev.tessera.offline.snapshot.spine.ParquetSpine;
import dev.tessera.offline.snapshot.spine.Spine;
import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureRef;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.schema.FeatureRowSchemas;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.FeatureTables;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;

/**
 * Builds point-in-time correct training snapshots, and replays them from their manifests.
 *
 * <p>{@code
 * SnapshotService snapshots = new SnapshotService(config, registry, catalog, ProgressListener.NONE);
 * SnapshotResult r = snapshots.create(new SnapshotRequest("spine.csv", "ts",
 *     List.of("customer_activity:*", "merchant_risk:txn_count_24h"), "train.parquet"));
 * SnapshotResult again = snapshots.replay(r.manifestPath(), "train-again.parquet");
 * }
 */
public final class SnapshotService {
  private final TesseraConfig config;
  private final ContractRegistry registry;
  private final Catalog catalog;
  private final FeatureTables tables;
  private final ProgressListener progress;
  private final OfflineOptions.Engine engine;

  public SnapshotService(TesseraConfig config, ContractRegistry registry, Catalog catalog, ProgressListener progress) {
    this(config, registry, catalog, progress, config.get(OfflineOptions.ENGINE));
  }

  private SnapshotService(TesseraConfig config, ContractRegistry registry, Catalog catalog, ProgressListener progress,
      OfflineOptions.Engine engine) {
    this.config = config;
    this.registry = registry;
    this.catalog = catalog;
    this.tables = new FeatureTables(catalog, config.get(OfflineOptions.NAMESPACE));
    this.progress = progress;
    this.engine = engine;
  }

  /** The same service on another engine: {@code local} (in-process) or {@code flink} (a Flink batch job). */
  public SnapshotService withEngine(OfflineOptions.Engine other) {
    return new SnapshotService(config, registry, catalog, progress, other);
  }

  public SnapshotResult create(SnapshotRequest request) {
    List<FeatureSetRead> reads = plan(request.features());
    Spine spine = openSpine(request.spine(), null);
    return run(spine, request.timeColumn(), request.features(), reads, request.output(), null);
  }

  /** Rebuilds the rows of a manifest by time travel; fails if the spine or a snapshot changed. */
  public SnapshotResult replay(Path manifestFile, String output) {
    SnapshotManifest m = SnapshotManifest.read(manifestFile);
    Spine spine = openSpine(m.spine().location(), m.spine().snapshotId());
    String hash = spine.sha256();
    if (!hash.equals(m.spine().sha256())) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot replay " + manifestFile + ": the spine " + m.spine().location()
          + " changed since the snapshot (sha256 " + hash + ", manifest has " + m.spine().sha256() + ")");
    }
    return run(spine, m.spine().timeColumn(), m.requestedFeatures(), m.featureSets(), output, manifestFile.toString());
  }

  private SnapshotResult run(Spine spine, String timeColumn, List<String> requested, List<FeatureSetRead> reads, String target, String replayOf) {
    Schema schema = outputSchema(spine, reads);
    long rows;
    String location;
    String format;
    long written;
    long sortBuffer = config.get(OfflineOptions.SORT_BUFFER);
    Path spillDir = Path.of(config.get(OfflineOptions.SPILL_DIR));
    try (SnapshotOutput out = SnapshotOutput.open(target, schema, catalog)) {
      rows = switch (engine) {
        case LOCAL -> new PointInTimeJoin(catalog, sortBuffer, spillDir, progress).run(spine, timeColumn, reads, out);
        case FLINK -> new FlinkPointInTimeJoin(catalog, Catalogs.properties(config), dev.tessera.offline.FlinkClusters.environment(config, config.get(OfflineOptions.FLINK_PARALLELISM), new org.apache.flink.configuration.Configuration()),
            sortBuffer, spillDir, progress).run(spine, timeColumn, reads, out);
      };
      location = out.location();
      format = out.format();
      written = out.rows();
    }
    SnapshotManifest manifest = new SnapshotManifest(1, Instant.now().toString(), engine.name().toLowerCase(java.util.Locale.ROOT),
        new SnapshotManifest.SpineInfo(spine.location(), spine.format(), timeColumn, spine.sha256(), rows, spine.snapshotId()),
        requested, reads,
        new SnapshotManifest.OutputInfo(location, format, written, schema.columns().stream().map(Types.NestedField::name).toList()),
        Catalogs.describe(config), replayOf);
    Path manifestPath = manifestPath(location);
    manifest.write(manifestPath);
    return new SnapshotResult(location, manifestPath, manifest);
  }

  private Path manifestPath(String location) {
    if (location.startsWith("iceberg:")) {
      return config.home().resolve("snapshots").resolve(location.substring("iceberg:".length()) + ".manifest.json");
    }
    return Path.of(location + ".manifest.json");
  }

  /** Resolves {@code fs:feature} and {@code fs:*} references against the contracts and tables. */
  List<FeatureSetRead> plan(List<String> refs) {
    if (refs.isEmpty()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot build a snapshot without features: expected --features <featureSet>:<feature>,<featureSet>:*");
    }
    List<FeatureRef.Selected> wanted = FeatureRef.select(refs, registry::get, (c, f) -> false);
    List<FeatureSetRead> reads = new ArrayList<>();
    for (FeatureRef.Selected e : wanted) {
      FeatureSetContract c = e.contract();
      Table table = tables.load(c);
      Snapshot current = table.currentSnapshot();
      Schema schema = current == null ? table.schema() : table.schemas().get(current.schemaId());
      List<String> features = c.featureNames().stream().filter(e.features()::contains).toList();
      for (String f : features) {
        if (schema.findField(f) == null) {
          throw new TesseraException(ErrorCode.NOT_FOUND, "Cannot read feature '" + f + "' of " + c.id() + " from " + table.name()
              + ": the table has no such column yet (ingest this contract version first)");
        }
      }
      TableIdentifier id = tables.identifier(c);
      // a pinned major (customer_activity@1) names its columns customer_activity_v1__<feature>
      reads.add(new FeatureSetRead(FeatureRef.columnPrefix(e.name()), c.version().toString(), id.toString(),
          current == null ? null : current.snapshotId(),
          c.entity().keyNames(), c.entity().keys().stream().map(k -> k.type()).toList(),
          features, features.stream().map(f -> c.feature(f).map(Feature::type).orElseThrow()).toList(),
          c.ttl() == null ? null : c.ttl().toMillis()));
    }
    return reads;
  }

  private Spine openSpine(String spec, Long snapshotId) {
    if (spec.startsWith("iceberg:")) {
      TableIdentifier id = TableIdentifier.parse(spec.substring("iceberg:".length()));
      if (!catalog.tableExists(id)) {
        throw new TesseraException(ErrorCode.NOT_FOUND, "Cannot read spine " + spec + ": no such table in the catalog");
      }
      Table table = catalog.loadTable(id);
      Long snap = snapshotId != null ? snapshotId : table.currentSnapshot() == null ? null : table.currentSnapshot().snapshotId();
      return new IcebergSpine(table, snap);
    }
    Path file = Path.of(spec);
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new TesseraException(ErrorCode.NOT_FOUND, "Cannot read spine '" + spec + "': no such file");
    }
    if (spec.endsWith(".csv")) {
      return new CsvSpine(file);
    }
    if (spec.endsWith(".parquet")) {
      return new ParquetSpine(file);
    }
    throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read spine '" + spec
        + "': expected a .csv or .parquet file, or iceberg:<namespace>.<table>");
  }

  private static Schema outputSchema(Spine spine, List<FeatureSetRead> reads) {
    List<Types.NestedField> fields = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int id = 1;
    for (Spine.Column c : spine.columns()) {
      fields.add(Types.NestedField.optional(id++, c.name(), c.type()));
      names.add(c.name());
    }
    for (FeatureSetRead r : reads) {
      for (int i = 0; i < r.features().size(); i++) {
        String name = r.column(r.features().get(i));
        if (!names.add(name)) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot add column '" + name + "': the spine already has a column of that name");
        }
        fields.add(Types.NestedField.optional(id++, name, FeatureRowSchemas.icebergType(r.featureTypes().get(i))));
      }
    }
    return new Schema(fields);
  }
}
