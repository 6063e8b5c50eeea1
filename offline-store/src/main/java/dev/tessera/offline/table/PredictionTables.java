package dev.tessera.offline.table;

import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.types.Types;

/**
 * The prediction log of a model service, offline: {@code <namespace>.<model>__predictions}, one
 * row per entity and version scored, written from the Kafka topic {@code tessera.predictions.<model>}
 * by a Flink job with Iceberg's exactly-once sink (as feature rows are). Training joins labels to
 * it later; monitoring compares versions. Partitioned by day of {@code predicted_at}.
 */
public final class PredictionTables {
  public static final String PARTITION = "_partition";
  public static final String OFFSET = "_offset";

  public static final Schema SCHEMA = new Schema(
      Types.NestedField.required(1, "request_id", Types.StringType.get(), "The request's X-Request-Id (or the id the service gave it)"),
      Types.NestedField.required(2, "idx", Types.IntegerType.get(), "The entity's index in its request"),
      Types.NestedField.required(3, "model", Types.StringType.get()),
      Types.NestedField.required(4, "version", Types.StringType.get(), "The model version that scored it"),
      Types.NestedField.required(5, "route", Types.StringType.get(), "primary, canary (answers); shadow, primary-unanswered, canary-unanswered (logged only)"),
      Types.NestedField.required(6, "answered", Types.BooleanType.get(), "Whether these outputs were the answer"),
      Types.NestedField.required(7, "predicted_at", Types.TimestampType.withZone()),
      Types.NestedField.optional(8, "entity", Types.MapType.ofOptional(14, 15, Types.StringType.get(), Types.StringType.get())),
      Types.NestedField.optional(9, "features", Types.MapType.ofOptional(16, 17, Types.StringType.get(), Types.DoubleType.get()),
          "<feature set>__<feature> -> the value the model saw (after missing-value defaults)"),
      Types.NestedField.optional(10, "event_times", Types.MapType.ofOptional(18, 19, Types.StringType.get(), Types.TimestampType.withZone()),
          "Per feature set read, the event time of its values"),
      Types.NestedField.optional(11, "outputs", Types.MapType.ofOptional(20, 21, Types.StringType.get(),
          Types.ListType.ofOptional(22, Types.DoubleType.get())), "Per output, its values (one for a scalar output); null when rejected"),
      Types.NestedField.optional(12, "rejected", Types.StringType.get(), "The inputs missing with missing: reject"),
      Types.NestedField.required(13, PARTITION, Types.IntegerType.get(), "Kafka partition of the log record"),
      Types.NestedField.required(23, OFFSET, Types.LongType.get(), "Kafka offset of the log record"));

  private final Catalog catalog;
  private final Namespace namespace;

  public PredictionTables(Catalog catalog, String namespace) {
    this.catalog = catalog;
    this.namespace = Namespace.of(namespace.split("\\."));
  }

  public static String tableName(String model) {
    return model.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "__predictions";
  }

  public TableIdentifier identifier(String model) {
    return TableIdentifier.of(namespace, tableName(model));
  }

  /** The prediction table of {@code model}, created when missing. */
  public Table ensure(String model) {
    if (catalog instanceof SupportsNamespaces ns && !ns.namespaceExists(namespace)) {
      try {
        ns.createNamespace(namespace);
      } catch (AlreadyExistsException raced) {
        // created concurrently
      }
    }
    TableIdentifier id = identifier(model);
    if (!catalog.tableExists(id)) {
      try {
        return catalog.buildTable(id, SCHEMA).withPartitionSpec(PartitionSpec.builderFor(SCHEMA).day("predicted_at").build())
            .withProperties(Map.of(TableProperties.FORMAT_VERSION, "2", TableProperties.DEFAULT_FILE_FORMAT, "parquet",
                "comment", "Predictions of model service " + model + " (topic tessera.predictions." + model + ")"))
            .create();
      } catch (AlreadyExistsException raced) {
        // created concurrently
      }
    }
    return catalog.loadTable(id);
  }
}
