package dev.tessera.contracts.schema;

import dev.tessera.contracts.model.EntityKey;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The feature-row schemas of a contract, derived once here so no module writes them by hand.
 * Columns are: entity keys (required), features (optional: a value can be missing), then {@code
 * event_time} (required). The type mapping is documented in {@code docs/contracts.md}.
 *
 * <pre>
 * Tessera    Iceberg          Avro                        Arrow
 * int        int              int                         Int(32, signed)
 * long       long             long                        Int(64, signed)
 * float      float            float                       FloatingPoint(SINGLE)
 * double     double           double                      FloatingPoint(DOUBLE)
 * boolean    boolean          boolean                     Bool
 * string     string           string                      Utf8
 * timestamp  timestamptz (us) long (timestamp-millis)     Timestamp(MILLISECOND, "UTC")
 * </pre>
 */
public final class FeatureRowSchemas {
  /** Extra field of the changelog value: orders writes with equal event time (idempotency). */
  public static final String SEQUENCE_FIELD = "tessera_seq";
  /** Extra field of the changelog value: features not computed yet for this row (added, history not backfilled). */
  public static final String MISSING_FIELD = "tessera_missing";

  private FeatureRowSchemas() {}

  /** The Iceberg schema of the offline table. Field ids are 1..n in column order. */
  public static org.apache.iceberg.Schema iceberg(FeatureSetContract contract) {
    List<Types.NestedField> fields = new ArrayList<>();
    int id = 1;
    for (EntityKey key : contract.entity().keys()) {
      fields.add(Types.NestedField.required(id++, key.name(), icebergType(key.type())));
    }
    for (Feature f : contract.features()) {
      fields.add(Types.NestedField.optional(id++, f.name(), icebergType(f.type()), f.description()));
    }
    fields.add(
        Types.NestedField.required(
            id, FeatureSetContract.EVENT_TIME_COLUMN, Types.TimestampType.withZone(), "Event time of the row"));
    return new org.apache.iceberg.Schema(fields);
  }

  /** The Avro schema of a feature row: keys, features, event_time. */
  public static Schema avro(FeatureSetContract contract) {
    return avroRecord(contract, false);
  }

  /**
   * The Avro schema of a changelog value: the feature row plus {@value #SEQUENCE_FIELD} and
   * {@value #MISSING_FIELD}. Rows carry its fingerprint (Avro single-object encoding), and readers
   * resolve them by name against today's contract ({@code rows.ChangelogRowReader}).
   */
  public static Schema avroChangelog(FeatureSetContract contract) {
    return avroRecord(contract, true);
  }

  private static Schema avroRecord(FeatureSetContract contract, boolean withSequence) {
    String name = contract.name() + "_v" + contract.majorVersion() + (withSequence ? "_changelog" : "_row");
    SchemaBuilder.FieldAssembler<Schema> fields =
        SchemaBuilder.record(name).namespace("dev.tessera.features").fields();
    for (EntityKey key : contract.entity().keys()) {
      fields = fields.name(key.name()).type(avroType(key.type())).noDefault();
    }
    for (Feature f : contract.features()) {
      Schema nullable = Schema.createUnion(Schema.create(Schema.Type.NULL), avroType(f.type()));
      fields = fields.name(f.name()).doc(f.description()).type(nullable).withDefault(null);
    }
    fields = fields.name(FeatureSetContract.EVENT_TIME_COLUMN).type(avroType(FeatureType.TIMESTAMP)).noDefault();
    if (withSequence) {
      fields = fields.name(SEQUENCE_FIELD).type(Schema.create(Schema.Type.LONG)).noDefault();
      Schema names = Schema.createArray(Schema.create(Schema.Type.STRING));
      fields = fields.name(MISSING_FIELD).type(Schema.createUnion(Schema.create(Schema.Type.NULL), names)).withDefault(null);
    }
    return fields.endRecord();
  }

  /**
   * The Avro schema of the changelog key: the entity key columns, in key order. Its binary
   * encoding is the "encoded entity key" shared by ingest and online serving.
   */
  public static Schema avroKey(FeatureSetContract contract) {
    SchemaBuilder.FieldAssembler<Schema> fields =
        SchemaBuilder.record(contract.name() + "_v" + contract.majorVersion() + "_key").namespace("dev.tessera.features").fields();
    for (EntityKey key : contract.entity().keys()) {
      fields = fields.name(key.name()).type(avroType(key.type())).noDefault();
    }
    return fields.endRecord();
  }

  /** The Arrow schema of a feature row. */
  public static org.apache.arrow.vector.types.pojo.Schema arrow(FeatureSetContract contract) {
    return new org.apache.arrow.vector.types.pojo.Schema(arrowFields(contract, "", true));
  }

  /**
   * Arrow fields of a contract for wide, multi-feature-set batches: features named {@code
   * <prefix><feature>} and the event time {@code <prefix>event_time}, all nullable.
   */
  public static List<Field> arrowFields(FeatureSetContract contract, String prefix, boolean withKeys) {
    List<Field> fields = new ArrayList<>();
    if (withKeys) {
      for (EntityKey key : contract.entity().keys()) {
        fields.add(new Field(key.name(), FieldType.notNullable(arrowType(key.type())), null));
      }
    }
    for (Feature f : contract.features()) {
      fields.add(new Field(prefix + f.name(), FieldType.nullable(arrowType(f.type())), null));
    }
    FieldType time = withKeys && prefix.isEmpty()
        ? FieldType.notNullable(arrowType(FeatureType.TIMESTAMP))
        : FieldType.nullable(arrowType(FeatureType.TIMESTAMP));
    fields.add(new Field(prefix + FeatureSetContract.EVENT_TIME_COLUMN, time, null));
    return fields;
  }

  public static Type icebergType(FeatureType type) {
    return switch (type) {
      case INT -> Types.IntegerType.get();
      case LONG -> Types.LongType.get();
      case FLOAT -> Types.FloatType.get();
      case DOUBLE -> Types.DoubleType.get();
      case BOOLEAN -> Types.BooleanType.get();
      case STRING -> Types.StringType.get();
      case TIMESTAMP -> Types.TimestampType.withZone();
    };
  }

  public static Schema avroType(FeatureType type) {
    return switch (type) {
      case INT -> Schema.create(Schema.Type.INT);
      case LONG -> Schema.create(Schema.Type.LONG);
      case FLOAT -> Schema.create(Schema.Type.FLOAT);
      case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
      case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
      case STRING -> Schema.create(Schema.Type.STRING);
      case TIMESTAMP -> LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    };
  }

  public static ArrowType arrowType(FeatureType type) {
    return switch (type) {
      case INT -> new ArrowType.Int(32, true);
      case LONG -> new ArrowType.Int(64, true);
      case FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
      case STRING -> ArrowType.Utf8.INSTANCE;
      case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC");
    };
  }
}
