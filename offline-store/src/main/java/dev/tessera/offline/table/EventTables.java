package dev.tessera.offline.table;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.schema.FeatureRowSchemas;
import dev.tessera.contracts.schema.SourceTypes;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The events archive of a source topic: {@code <namespace>.<topic>__events} (the topic with every
 * character outside {@code [a-z0-9_]} as {@code _}). It holds every decodable event of the topic
 * once, before any contract's quality or lateness rules, with where it came from: {@value #SOURCE}
 * ({@code kafka}, or the file of a file backfill), {@value #PARTITION} and {@value #OFFSET} (the
 * Kafka partition and offset, or 0 and the line), and {@value #EVENT_TIME}; then the source
 * schema's fields as columns (types as for features; other Avro types as JSON text). Partitioned
 * by day of event time, sorted by where the events came from. Backfills and audits read it, so
 * history does not depend on Kafka's retention. Several feature sets on one topic share it; a
 * reader drops duplicates of the same coordinates.
 */
public final class EventTables {
  public static final String SOURCE = "_source";
  public static final String PARTITION = "_partition";
  public static final String OFFSET = "_offset";
  public static final String EVENT_TIME = "_event_time";
  /** {@value #SOURCE} of events read from Kafka. */
  public static final String KAFKA = "kafka";
  public static final String PROP_TOPIC = "tessera.archive.topic";

  private final Catalog catalog;
  private final Namespace namespace;

  public EventTables(Catalog catalog, String namespace) {
    this.catalog = catalog;
    this.namespace = Namespace.of(namespace.split("\\."));
  }

  public TableIdentifier identifier(String topic) {
    return TableIdentifier.of(namespace, tableName(topic));
  }

  public static String tableName(String topic) {
    return topic.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "__events";
  }

  public Optional<Table> find(String topic) {
    TableIdentifier id = identifier(topic);
    return catalog.tableExists(id) ? Optional.of(catalog.loadTable(id)) : Optional.empty();
  }

  /** The archive of {@code topic}; NOT_FOUND (naming the topic) when nothing was archived yet. */
  public Table load(String topic) {
    return find(topic).orElseThrow(() -> new TesseraException(ErrorCode.NOT_FOUND, "Cannot find the events archive "
        + identifier(topic) + " of topic " + topic + ": no ingest job has archived its events yet"));
  }

  /**
   * Creates the archive of {@code topic} for events of {@code sourceSchema}, or adds the columns of
   * fields the schema gained (the archive evolves with the source schema, as feature tables with
   * contracts). A field whose type changed is refused.
   */
  public Table ensure(String topic, org.apache.avro.Schema sourceSchema) {
    if (catalog instanceof SupportsNamespaces ns && !ns.namespaceExists(namespace)) {
      try {
        ns.createNamespace(namespace);
      } catch (AlreadyExistsException raced) {
        // created concurrently
      }
    }
    Schema wanted = schema(sourceSchema);
    TableIdentifier id = identifier(topic);
    if (!catalog.tableExists(id)) {
      try {
        return catalog.buildTable(id, wanted)
            .withPartitionSpec(PartitionSpec.builderFor(wanted).day(EVENT_TIME).build())
            .withSortOrder(SortOrder.builderFor(wanted).asc(SOURCE, NullOrder.NULLS_FIRST).asc(PARTITION, NullOrder.NULLS_FIRST)
                .asc(OFFSET, NullOrder.NULLS_FIRST).build())
            .withProperties(Map.of(PROP_TOPIC, topic, TableProperties.FORMAT_VERSION, "2", TableProperties.DEFAULT_FILE_FORMAT, "parquet",
                "comment", "Every decodable event of topic " + topic + ", with its source coordinates"))
            .create();
      } catch (AlreadyExistsException raced) {
        // created concurrently: evolve below
      }
    }
    Table table = catalog.loadTable(id);
    List<String> problems = new ArrayList<>();
    List<Types.NestedField> added = new ArrayList<>();
    for (Types.NestedField want : wanted.columns()) {
      Types.NestedField have = table.schema().findField(want.name());
      if (have == null) {
        added.add(want);
      } else if (!have.type().equals(want.type())) {
        problems.add("field '" + want.name() + "' is " + have.type() + " in the archive but " + want.type() + " in the source schema");
      }
    }
    if (!problems.isEmpty()) {
      throw new TesseraException(ErrorCode.INCOMPATIBLE_CHANGE, "Cannot evolve the events archive " + id + ": " + String.join("; ", problems));
    }
    if (!added.isEmpty()) {
      UpdateSchema update = table.updateSchema();
      added.forEach(f -> update.addColumn(f.name(), f.type(), f.doc()));
      update.commit();
    }
    return table;
  }

  /** The last archived offset of each Kafka partition (events of the topic, not of backfill files); empty for an empty archive. */
  public static Map<Integer, Long> kafkaOffsets(Table archive) {
    Map<Integer, Long> out = new java.util.TreeMap<>();
    archive.refresh();
    if (archive.currentSnapshot() == null) {
      return out;
    }
    try (var rows = org.apache.iceberg.data.IcebergGenerics.read(archive).select(SOURCE, PARTITION, OFFSET)
        .where(org.apache.iceberg.expressions.Expressions.equal(SOURCE, KAFKA)).build()) {
      for (var r : rows) {
        if (KAFKA.equals(r.getField(SOURCE).toString())) {
          out.merge((Integer) r.getField(PARTITION), (Long) r.getField(OFFSET), Math::max);
        }
      }
    } catch (java.io.IOException e) {
      throw TesseraException.io("Cannot read the events archive " + archive.name(), e);
    }
    return out;
  }

  /** The archive schema of events of {@code sourceSchema}. */
  public static Schema schema(org.apache.avro.Schema sourceSchema) {
    List<Types.NestedField> fields = new ArrayList<>();
    fields.add(Types.NestedField.required(1, SOURCE, Types.StringType.get(), "kafka, or the file of a file backfill"));
    fields.add(Types.NestedField.required(2, PARTITION, Types.IntegerType.get(), "Kafka partition (0 for a file)"));
    fields.add(Types.NestedField.required(3, OFFSET, Types.LongType.get(), "Kafka offset, or line number in the file"));
    fields.add(Types.NestedField.optional(4, EVENT_TIME, Types.TimestampType.withZone(), "Event time"));
    int id = 5;
    for (org.apache.avro.Schema.Field f : sourceSchema.getFields()) {
      fields.add(Types.NestedField.optional(id++, f.name(), columnType(f.schema()), f.doc()));
    }
    return new Schema(fields);
  }

  /** The column type of a source field: as a feature of its type, else JSON text. */
  public static Type columnType(org.apache.avro.Schema fieldSchema) {
    return SourceTypes.featureTypeOf(fieldSchema).map(FeatureRowSchemas::icebergType).orElse(Types.StringType.get());
  }

  /** Whether a source field is archived as JSON text (not a feature-readable type). */
  public static boolean isText(org.apache.avro.Schema fieldSchema) {
    return SourceTypes.featureTypeOf(fieldSchema).isEmpty();
  }

  /**
   * Drops the archived events older than {@code retention} (whole days, so only metadata
   * changes); returns the cut-off, or null when nothing was old enough. Null retention keeps all.
   */
  public static Instant applyRetention(Table table, Duration retention, Instant now) {
    if (retention == null || retention.isZero()) {
      return null;
    }
    Instant cut = now.minus(retention).truncatedTo(ChronoUnit.DAYS);
    long micros = cut.toEpochMilli() * 1000;
    table.newDelete().deleteFromRowFilter(Expressions.lessThan(EVENT_TIME, micros)).commit();
    return cut;
  }
}
