package dev.tessera.ingest.job;

import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.api.TesseraException;
import dev.tessera.contracts.rows.WriterSchema;
import dev.tessera.kafka.Topics;
import java.nio.file.Path;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.util.CloseableIterator;
import dev.tessera.offline.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.ingest.rollout.Rollout;
import dev.tessera.ingest.window.FeatureWindows;
import dev.tessera.offline.table.EventTables;
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

  /** Adds the pipeline reading the contract's Kafka topic to {@code env}. */
  public static IngestPipeline define(StreamExecutionEnvironment env, FeatureSetContract contract, IngestSettings settings) {
    return define(env, contract, settings, null);
  }

  /**
   * Adds the pipeline to {@code env}, reading the contract's Kafka topic, or {@code fromFile} (a
   * backfill: {@code .jsonl} or {@code .avro}) when given. Creates the table and topics if missing.
   * Without Kafka ({@code settings.bootstrapServers()} null, file mode only) there is no changelog,
   * and in file mode the DLQ is collected for {@link IngestPipeline#writeDlqFile}.
   */
  public static IngestPipeline define(StreamExecutionEnvironment env, FeatureSetContract contract, IngestSettings settings, Path fromFile) {
    Catalog catalog = Catalogs.open(settings.config());
    FeatureTables tables = new FeatureTables(catalog, settings.config().get(OfflineOptions.NAMESPACE));
    Table table = tables.ensure(contract);
    boolean kafka = settings.bootstrapServers() != null;
    if (kafka) {
      Topics.ensure(settings.bootstrapServers(), contract.changelogTopic(), true, 1);
      // readers meet the writer schema on every partition before the first row written with it
      Topics.publishSchema(settings.bootstrapServers(), contract.changelogTopic(), WriterSchema.of(contract));
    }
    DataStream<Records.Raw> raw;
    if (fromFile != null) {
      String name = fromFile.getFileName().toString();
      String kind = name.endsWith(".avro") ? FileEventFormat.BINARY : FileEventFormat.JSON;
      if (!name.endsWith(".avro") && !name.endsWith(".jsonl") && !name.endsWith(".json")) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot ingest '" + fromFile + "': expected a .jsonl or .avro file");
      }
      FileSource<Records.Raw> files = FileSource.forRecordStreamFormat(
          new FileEventFormat(kind, contract.source().schema(), fromFile.toString()),
          new org.apache.flink.core.fs.Path(fromFile.toAbsolutePath().toUri())).build();
      raw = env.fromSource(files, WatermarkStrategy.noWatermarks(), "file:" + name).setParallelism(1)
          .uid(contract.tableName() + "/file-source");
    } else {
      if (!kafka) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot ingest " + contract.id() + " from Kafka: no bootstrap servers configured");
      }
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
      raw = env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "kafka:" + contract.source().topic())
          .uid(contract.tableName() + "/source");
    }
    SingleOutputStreamOperator<Records.Event> events = raw.keyBy(r -> r.partition)
        .process(new DecodeFunction(contract, settings.confluentSchemaIds(), settings.archive())).name("decode and validate")
        .uid(contract.tableName() + "/decode");
    DataStream<Records.Rejected> dlq = events.getSideOutput(DecodeFunction.DLQ);
    DataStream<Records.Row> rows = events
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Records.Event>forBoundedOutOfOrderness(contract.source().maxOutOfOrderness())
            .withTimestampAssigner((e, ts) -> e.time).withIdleness(settings.idleTimeout()))
        .keyBy(e -> e.key)
        .process(new WindowFunction(contract)).name("windows").uid(contract.tableName() + "/windows");

    if (kafka) {
      rows.sinkTo(KafkaSink.<Records.Row>builder().setBootstrapServers(settings.bootstrapServers())
          .setRecordSerializer(new Sinks.Changelog(contract)).setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).build())
          .name("changelog:" + contract.changelogTopic()).uid(contract.tableName() + "/changelog");
    }
    CloseableIterator<Records.Rejected> fileDlq = null;
    if (fromFile != null) {
      fileDlq = dlq.collectAsync();
    } else {
      dlq.sinkTo(KafkaSink.<Records.Rejected>builder().setBootstrapServers(settings.bootstrapServers())
          .setRecordSerializer(new Sinks.Dlq(contract)).setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).build())
          .name("dlq:" + contract.source().dlqTopic()).uid(contract.tableName() + "/dlq");
    }

    FlinkSink.builderFor(rows.filter(r -> r.isFinal).name("final rows"), new Sinks.ToRowData(contract, table.schema()),
            FlinkCompatibilityUtil.toTypeInfo(FlinkSchemaUtil.convert(table.schema())))
        .tableLoader(tableLoader(settings, tables.identifier(contract)))
        .uidPrefix(contract.tableName() + "/iceberg")
        .append();
    if (settings.archive()) {
      EventTables archives = new EventTables(catalog, settings.config().get(OfflineOptions.NAMESPACE));
      Table archive = archives.ensure(contract.source().topic(), contract.source().schema());
      EventTables.applyRetention(archive, settings.config().find(OfflineOptions.ARCHIVE_RETENTION).orElse(null), java.time.Instant.now());
      String topic = contract.source().topic();
      FlinkSink.builderFor(events.getSideOutput(DecodeFunction.ARCHIVE), new ArchiveRows(contract.source().schema(), archive.schema()),
              FlinkCompatibilityUtil.toTypeInfo(FlinkSchemaUtil.convert(archive.schema())))
          .tableLoader(tableLoader(settings, archives.identifier(topic)))
          .uidPrefix("archive:" + topic)
          .append();
    }
    Rollout rollout = new Rollout(contract, Rollout.recorded(table).orElse(null), new FeatureWindows(contract).layout());
    return new IngestPipeline(contract, fileDlq, rollout, table);
  }

  private static TableLoader tableLoader(IngestSettings settings, org.apache.iceberg.catalog.TableIdentifier id) {
    Map<String, String> props = Catalogs.properties(settings.config());
    String impl = switch (settings.config().get(OfflineOptions.CATALOG_TYPE)) {
      case JDBC -> "org.apache.iceberg.jdbc.JdbcCatalog";
      case REST -> "org.apache.iceberg.rest.RESTCatalog";
    };
    props.put(CatalogProperties.CATALOG_IMPL, impl);
    CatalogLoader catalogLoader = CatalogLoader.custom(settings.config().get(OfflineOptions.CATALOG_NAME), props,
        new org.apache.hadoop.conf.Configuration(), impl);
    return TableLoader.fromCatalog(catalogLoader, id);
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
