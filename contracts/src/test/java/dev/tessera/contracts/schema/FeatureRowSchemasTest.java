package dev.tessera.contracts.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.ContractFixture;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class FeatureRowSchemasTest {
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(ContractFixture.EXAMPLES);
  final FeatureSetContract activity = REGISTRY.get("customer_activity");
  final FeatureSetContract pair = REGISTRY.get("customer_merchant");
  final FeatureSetContract profile = REGISTRY.get("customer_profile");

  @Test
  void icebergSchemaHasKeysThenFeaturesThenEventTime() {
    org.apache.iceberg.Schema s = FeatureRowSchemas.iceberg(activity);

    assertThat(s.columns()).extracting(Types.NestedField::name).containsExactly(
        "customer_id", "txn_count_1h", "amount_sum_24h", "amount_avg_7d", "amount_max_24h", "last_country", "event_time");
    assertThat(s.columns()).extracting(Types.NestedField::fieldId).containsExactly(1, 2, 3, 4, 5, 6, 7);
    assertThat(s.findField("customer_id").isRequired()).isTrue();
    assertThat(s.findField("customer_id").type()).isEqualTo(Types.StringType.get());
    assertThat(s.findField("txn_count_1h").isOptional()).isTrue();
    assertThat(s.findField("txn_count_1h").type()).isEqualTo(Types.LongType.get());
    assertThat(s.findField("amount_sum_24h").type()).isEqualTo(Types.DoubleType.get());
    assertThat(s.findField("amount_sum_24h").doc()).isEqualTo("Total amount spent in the last 24 hours.");
    assertThat(s.findField("event_time").isRequired()).isTrue();
    assertThat(s.findField("event_time").type()).isEqualTo(Types.TimestampType.withZone());
  }

  @Test
  void icebergMapsEveryFeatureType() {
    org.apache.iceberg.Schema s = FeatureRowSchemas.iceberg(profile);

    assertThat(s.findField("age").type()).isEqualTo(Types.IntegerType.get());
    assertThat(s.findField("is_verified").type()).isEqualTo(Types.BooleanType.get());
    assertThat(s.findField("segment").type()).isEqualTo(Types.StringType.get());
    assertThat(s.findField("signup_time").type()).isEqualTo(Types.TimestampType.withZone());
  }

  @Test
  void compositeKeysKeepTheirOrder() {
    assertThat(FeatureRowSchemas.iceberg(pair).columns().subList(0, 2))
        .extracting(Types.NestedField::name).containsExactly("customer_id", "merchant_id");
    assertThat(FeatureRowSchemas.avro(pair).getFields().subList(0, 2))
        .extracting(Schema.Field::name).containsExactly("customer_id", "merchant_id");
    assertThat(FeatureRowSchemas.arrow(pair).getFields().subList(0, 2))
        .extracting(Field::getName).containsExactly("customer_id", "merchant_id");
  }

  @Test
  void avroRowHasRequiredKeysNullableFeaturesAndMillisEventTime() {
    Schema s = FeatureRowSchemas.avro(activity);

    assertThat(s.getFullName()).isEqualTo("dev.tessera.features.customer_activity_v1_row");
    assertThat(s.getFields()).extracting(Schema.Field::name).containsExactly(
        "customer_id", "txn_count_1h", "amount_sum_24h", "amount_avg_7d", "amount_max_24h", "last_country", "event_time");
    assertThat(s.getField("customer_id").schema().getType()).isEqualTo(Schema.Type.STRING);
    Schema count = s.getField("txn_count_1h").schema();
    assertThat(count.getType()).isEqualTo(Schema.Type.UNION);
    assertThat(count.getTypes()).extracting(Schema::getType).containsExactly(Schema.Type.NULL, Schema.Type.LONG);
    assertThat(s.getField("txn_count_1h").defaultVal()).isEqualTo(org.apache.avro.JsonProperties.NULL_VALUE);
    Schema time = s.getField("event_time").schema();
    assertThat(time.getType()).isEqualTo(Schema.Type.LONG);
    assertThat(time.getLogicalType()).isEqualTo(LogicalTypes.timestampMillis());
  }

  @Test
  void avroChangelogAddsTheSequenceNumberAndTheMissingFeatures() {
    Schema s = FeatureRowSchemas.avroChangelog(activity);

    assertThat(s.getFields().get(s.getFields().size() - 2).name()).isEqualTo(FeatureRowSchemas.SEQUENCE_FIELD);
    assertThat(s.getField(FeatureRowSchemas.SEQUENCE_FIELD).schema().getType()).isEqualTo(Schema.Type.LONG);
    Schema missing = s.getField(FeatureRowSchemas.MISSING_FIELD).schema();
    assertThat(missing.getTypes()).extracting(Schema::getType).containsExactly(Schema.Type.NULL, Schema.Type.ARRAY);
    assertThat(s.getFields()).hasSize(FeatureRowSchemas.avro(activity).getFields().size() + 2);
  }

  @Test
  void arrowSchemaMapsTypes() {
    var s = FeatureRowSchemas.arrow(profile);

    assertThat(s.findField("customer_id").isNullable()).isFalse();
    assertThat(s.findField("customer_id").getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
    assertThat(s.findField("age").getType()).isEqualTo(new ArrowType.Int(32, true));
    assertThat(s.findField("age").isNullable()).isTrue();
    assertThat(s.findField("credit_limit").getType()).isEqualTo(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
    assertThat(s.findField("is_verified").getType()).isEqualTo(ArrowType.Bool.INSTANCE);
    assertThat(s.findField("signup_time").getType()).isEqualTo(new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC"));
    assertThat(s.findField("event_time").isNullable()).isFalse();
    assertThat(FeatureRowSchemas.arrow(activity).findField("txn_count_1h").getType()).isEqualTo(new ArrowType.Int(64, true));
  }

  @Test
  void prefixedArrowFieldsForWideLookups() {
    var fields = FeatureRowSchemas.arrowFields(activity, "customer_activity__", false);

    assertThat(fields).extracting(Field::getName).containsExactly(
        "customer_activity__txn_count_1h", "customer_activity__amount_sum_24h", "customer_activity__amount_avg_7d",
        "customer_activity__amount_max_24h", "customer_activity__last_country", "customer_activity__event_time");
    assertThat(fields).allSatisfy(f -> assertThat(f.isNullable()).isTrue());
  }

  @Test
  void sourceTypesMapAvroToTessera() {
    Schema tx = activity.source().schema();
    assertThat(SourceTypes.featureTypeOf(tx.getField("amount").schema())).contains(dev.tessera.contracts.model.FeatureType.DOUBLE);
    assertThat(SourceTypes.isNullable(tx.getField("amount").schema())).isTrue();
    assertThat(SourceTypes.featureTypeOf(tx.getField("event_time").schema())).contains(dev.tessera.contracts.model.FeatureType.TIMESTAMP);
    assertThat(SourceTypes.featureTypeOf(profile.source().schema().getField("segment").schema())).contains(dev.tessera.contracts.model.FeatureType.STRING);
    assertThat(SourceTypes.featureTypeOf(Schema.create(Schema.Type.BYTES))).isEmpty();
  }
}
