package dev.tessera.ingest.job;

import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.offline.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.FeatureTables;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.FlinkSink;
import org.apache.iceberg.flink.util.FlinkCompatibilityUtil;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The ingest pipeline of one feature-set major version, built from its contract alone:
 *
 * <pre>
 * Kafka source topic -> decode + validate + lateness (keyed by partition) --invalid/late--> DLQ topic
 *   -> watermarks (bounded out-of-orderness, idleness) -> window logic (keyed by entity key)
 *   -> every row (fresh and final) -> changelog topic tessera.online.&lt;name&gt;.v&lt;major&gt; (compacted)
 *   -> final rows -> Iceberg table &lt;ns&gt;.&lt;name&gt;__v&lt;major&gt; (committed on checkpoints: exactly once)
 * </pre>
 */
public final class IngestJob {
  private IngestJob() {}

  /** Adds the pipeline to {@code env}; creates the table and the topics if missing. */
  public static void define(StreamExecutionEnvironment env, FeatureSetContract contract, IngestSettings settings) {
    Catalog catalog = Catalogs.open(settings.config());
    FeatureTables tables = new FeatureTables(catalog, settings.config().get(OfflineOptions.NAMESPACE));
    Table table = tables.ensure(contract);
    Topics.ensure(settings.bootstrapServers(), contract.changelogTopic(), true, 1);
    Topics.ensure(settings.bootstrapServers(), contract.source().dlqTopic(), false, 1);

    var source = KafkaSource.<Records.Raw>builder()
        .setBootstrapServers(settings.bootstrapServers())
        .setTopics(contract.source().topic())
        .setGroupId(settings.groupId())
        .setStartingOffsets(settings.startingOffsets())
        .setProperty("commit.offsets.on.checkpoint", "true")
        .setDeserializer(new RawDeserializer());
    if (settings.bounded()) {
      source.setBounded(OffsetsInitializer.latest());
    }
    DataStream<Records.Raw> raw = env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "kafka:" + contract.source().topic())
        .uid(contract.tableName() + "/source");
    SingleOutputStreamOperator<Records.Event> events = raw.keyBy(r -> r.partition)
        .process(new DecodeFunction(contract, settings.confluentSchemaIds())).name("decode and validate").uid(contract.tableName() + "/decode");
    DataStream<Records.Rejected> dlq = events.getSideOutput(DecodeFunction.DLQ);
    DataStream<Records.Row> rows = events
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Records.Event>forBoundedOutOfOrderness(contract.source().maxOutOfOrderness())
            .withTimestampAssigner((e, ts) -> e.time).withIdleness(settings.idleTimeout()))
        .keyBy(e -> e.key)
        .process(new WindowFunction(contract)).name("windows").uid(contract.tableName() + "/windows");

    rows.sinkTo(KafkaSink.<Records.Row>builder().setBootstrapServers(settings.bootstrapServers())
        .setRecordSerializer(new Sinks.Changelog(contract)).setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).build())
        .name("changelog:" + contract.changelogTopic()).uid(contract.tableName() + "/changelog");
    dlq.sinkTo(KafkaSink.<Records.Rejected>builder().setBootstrapServers(settings.bootstrapServers())
        .setRecordSerializer(new Sinks.Dlq(contract)).setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).build())
        .name("dlq:" + contract.source().dlqTopic()).uid(contract.tableName() + "/dlq");

    Map<String, String> props = Catalogs.properties(settings.config());
    String impl = switch (settings.config().get(OfflineOptions.CATALOG_TYPE)) {
      case JDBC -> "org.apache.iceberg.jdbc.JdbcCatalog";
      case REST -> "org.apache.iceberg.rest.RESTCatalog";
    };
    props.put(CatalogProperties.CATALOG_IMPL, impl);
    CatalogLoader catalogLoader = CatalogLoader.custom(settings.config().get(OfflineOptions.CATALOG_NAME), props,
        new org.apache.hadoop.conf.Configuration(), impl);
    TableLoader loader = TableLoader.fromCatalog(catalogLoader, tables.identifier(contract));
    FlinkSink.builderFor(rows.filter(r -> r.isFinal).name("final rows"), new Sinks.ToRowData(contract, table.schema()),
            FlinkCompatibilityUtil.toTypeInfo(FlinkSchemaUtil.convert(table.schema())))
        .tableLoader(loader)
        .uidPrefix(contract.tableName() + "/iceberg")
        .append();
  }

  static final class RawDeserializer implements KafkaRecordDeserializationSchema<Records.Raw> {
    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Records.Raw> out) {
      out.collect(new Records.Raw(record.value() == null ? new byte[0] : record.value(), record.topic(), record.partition(), record.offset()));
    }

    @Override
    public TypeInformation<Records.Raw> getProducedType() {
      return TypeInformation.of(Records.Raw.class);
    }
  }
}
