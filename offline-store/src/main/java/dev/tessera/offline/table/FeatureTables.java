package dev.tessera.offline.table;

import dev.tessera.contracts.model.EntityKey;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.SemVer;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.schema.FeatureRowSchemas;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.NullOrder;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.types.Types;

/**
 * The offline tables of feature sets: {@code <namespace>.<name>__v<major>}, partitioned by
 * day(event_time), sorted by the entity keys then event_time, with the contract's name and version
 * in table properties. A minor version adds columns by schema evolution; the column of a feature
 * a minor version removed (it was deprecated) stays, null from then on, so history stays
 * readable; a change that cannot be evolved in place (a retyped column, other keys) is refused:
 * it needs a new major.
 */
public final class FeatureTables {
  public static final String PROP_CONTRACT_NAME = "tessera.contract.name";
  public static final String PROP_CONTRACT_VERSION = "tessera.contract.version";

  private final Catalog catalog;
  private final Namespace namespace;

  public FeatureTables(Catalog catalog, String namespace) {
    this.catalog = catalog;
    this.namespace = Namespace.of(namespace.split("\\."));
  }

  public Catalog catalog() {
    return catalog;
  }

  public TableIdentifier identifier(FeatureSetContract contract) {
    return TableIdentifier.of(namespace, contract.tableName());
  }

  public Optional<Table> find(FeatureSetContract contract) {
    TableIdentifier id = identifier(contract);
    return catalog.tableExists(id) ? Optional.of(catalog.loadTable(id)) : Optional.empty();
  }

  /** The table of a contract's major version; NOT_FOUND when nothing was ingested yet. */
  public Table load(FeatureSetContract contract) {
    return find(contract).orElseThrow(() -> new TesseraException(ErrorCode.NOT_FOUND,
        "Cannot find offline table " + identifier(contract) + " of " + contract.id()
            + ": nothing was ingested for this major version yet (run `tessera ingest` or `tessera offline tables`)"));
  }

  /** Creates the table if missing, or evolves it to this contract's minor version. */
  public Table ensure(FeatureSetContract contract) {
    ensureNamespace();
    TableIdentifier id = identifier(contract);
    if (!catalog.tableExists(id)) {
      try {
        return create(contract, id);
      } catch (AlreadyExistsException raced) {
        // another job created it first: fall through to evolution checks
      }
    }
    Table table = catalog.loadTable(id);
    evolve(table, contract);
    return table;
  }

  private Table create(FeatureSetContract contract, TableIdentifier id) {
    Schema schema = FeatureRowSchemas.iceberg(contract);
    PartitionSpec spec = PartitionSpec.builderFor(schema).day(FeatureSetContract.EVENT_TIME_COLUMN).build();
    SortOrder.Builder order = SortOrder.builderFor(schema);
    for (EntityKey key : contract.entity().keys()) {
      order.asc(key.name(), NullOrder.NULLS_FIRST);
    }
    order.asc(FeatureSetContract.EVENT_TIME_COLUMN, NullOrder.NULLS_FIRST);
    return catalog.buildTable(id, schema)
        .withPartitionSpec(spec)
        .withSortOrder(order.build())
        .withProperties(Map.of(
            PROP_CONTRACT_NAME, contract.name(),
            PROP_CONTRACT_VERSION, contract.version().toString(),
            TableProperties.FORMAT_VERSION, "2",
            TableProperties.DEFAULT_FILE_FORMAT, "parquet",
            "comment", contract.description()))
        .create();
  }

  private void evolve(Table table, FeatureSetContract contract) {
    String recorded = table.properties().get(PROP_CONTRACT_VERSION);
    String recordedName = table.properties().get(PROP_CONTRACT_NAME);
    if (recordedName != null && !recordedName.equals(contract.name())) {
      throw refuse(table, contract, "the table belongs to feature set '" + recordedName + "'");
    }
    SemVer tableVersion = recorded == null ? SemVer.of(contract.majorVersion(), 0, 0) : SemVer.parse(recorded);
    Schema wanted = FeatureRowSchemas.iceberg(contract);
    Schema current = table.schema();
    boolean contractIsNewer = contract.version().compareTo(tableVersion) > 0;
    List<String> problems = new ArrayList<>();
    for (Types.NestedField want : wanted.columns()) {
      Types.NestedField have = current.findField(want.name());
      if (have != null && !have.type().equals(want.type())) {
        problems.add("column '" + want.name() + "' is " + have.type() + " in the table but " + want.type() + " in the contract");
      }
      if (have != null && have.isRequired() != want.isRequired()) {
        problems.add("column '" + want.name() + "' changed between key and feature");
      }
    }
    for (Types.NestedField want : wanted.columns()) {
      if (want.isRequired() && current.findField(want.name()) == null) {
        problems.add("key column '" + want.name() + "' is not in the table (changing keys needs a new major version)");
      }
    }
    if (!problems.isEmpty()) {
      throw refuse(table, contract, String.join("; ", problems));
    }
    if (!contractIsNewer) {
      return;
    }
    List<Types.NestedField> added = wanted.columns().stream().filter(f -> current.findField(f.name()) == null).toList();
    if (!added.isEmpty()) {
      UpdateSchema update = table.updateSchema();
      for (Types.NestedField f : added) {
        update.addColumn(f.name(), f.type(), f.doc());
        update.moveBefore(f.name(), FeatureSetContract.EVENT_TIME_COLUMN);
      }
      update.commit();
    }
    table.updateProperties().set(PROP_CONTRACT_VERSION, contract.version().toString()).commit();
  }

  private static TesseraException refuse(Table table, FeatureSetContract contract, String why) {
    return new TesseraException(ErrorCode.INCOMPATIBLE_CHANGE,
        "Cannot evolve table " + table.name() + " to " + contract.id() + ": " + why);
  }

  private void ensureNamespace() {
    if (catalog instanceof SupportsNamespaces ns && !ns.namespaceExists(namespace)) {
      try {
        ns.createNamespace(namespace);
      } catch (AlreadyExistsException raced) {
        // created concurrently
      }
    }
  }
}
