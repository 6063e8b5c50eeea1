package dev.tessera.offline;

import dev.tessera.config.OfflineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.FeatureRow;
import dev.tessera.offline.table.FeatureTableWriter;
import dev.tessera.offline.table.FeatureTables;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.catalog.Catalog;

/** A Tessera home in a temp dir with the example contracts and a real Iceberg catalog. */
public final class OfflineFixture implements AutoCloseable {
  public static final Path EXAMPLES = Path.of("../contracts/examples");

  public final Path home;
  public final TesseraConfig config;
  public final ContractRegistry registry = ContractRegistry.fromDirectory(EXAMPLES);
  public final Catalog catalog;
  public final FeatureTables tables;

  public OfflineFixture(Path home, Map<String, String> overrides) {
    this.home = home;
    Map<String, String> all = new HashMap<>(overrides);
    this.config = TesseraConfig.defaults(home, all);
    this.catalog = Catalogs.open(config);
    this.tables = new FeatureTables(catalog, config.get(OfflineOptions.NAMESPACE));
  }

  public OfflineFixture(Path home) {
    this(home, Map.of());
  }

  public FeatureSetContract contract(String name) {
    return registry.get(name);
  }

  public long append(String featureSet, List<FeatureRow> rows) {
    FeatureSetContract c = contract(featureSet);
    return new FeatureTableWriter(tables.ensure(c), c).append(rows);
  }

  /** As the streaming sink writes: rows in the order given, files not marked sorted. */
  public long appendInArrivalOrder(String featureSet, List<FeatureRow> rows) {
    FeatureSetContract c = contract(featureSet);
    return new FeatureTableWriter(tables.ensure(c), c).appendInArrivalOrder(rows);
  }

  @Override
  public void close() throws Exception {
    if (catalog instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }
}
