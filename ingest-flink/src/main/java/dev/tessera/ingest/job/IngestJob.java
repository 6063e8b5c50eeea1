package dev.tessera.ingest.job;

import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.rows.WriterSchema;
import dev.tessera.kafka.Topics;
import java.nio.file.Path;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.util.CloseableIterator;
import dev.tessera.config.IngestOptions;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.ingest.rollout.Rollout;
import dev.tessera.ingest.window.FeatureWindows;
import dev.tessera.offline.table.EventTables;
import dev.tessera.offline.table.FeatureTables;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import dev.tessera.kafka.KafkaClients;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.FlinkSink;
import org.apache.iceberg.flink.util.FlinkCompatibilityUtil;

/**
 * The ingest pipeline of one feature-set major version, built from its contract alone:
 *
 * <pre>
 * Kafka source topic (decoded in the source: watermarks per partition, bounded out-of-orderness, idleness)
 *   -> validate + lateness per partition (chained to the source) --invalid/late--> DLQ topic
 *                                                                 --every decodable event--> events archive
 *   -> window logic (keyed by entity key) --behind a final window--> DLQ topic
 *   -> fresh rows, and the final rows the online store would keep -> changelog topic tessera.online.&lt;name&gt;.v&lt;major&gt; (compacted)
 *   -> final rows -> Iceberg table &lt;ns&gt;.&lt;name&gt;__v&lt;major&gt; (committed on checkpoints: exactly once)
 * </pre>
 */
public final class IngestJob {
  /** Keyed state of the window operator: each key's {@code KeyState}, and its encoded entity key. */
  public static final String WINDOW_STATE = "window-state";
  public static final String KEY_STATE = "key";

  private IngestJob() {}

  /**
   * Hot keys' window state is held decoded between checkpoints where the state backend stores it
   * serialized (RocksDB: every access would decode it whole, O(pending events) per event).
   */
  static boolean holdHotKeys(IngestSettings settings) {
    return settings.config().get(dev.tessera.config.IngestOptions.STATE_BACKEND) == dev.tessera.config.IngestOptions.StateBackend.ROCKSDB;
  }

  /** The uid of a feature set's window operator: how savepoints name its state (a backfill rewrites it). */
  public static String windowsUid(FeatureSetContract contract) {
    return contract.tableName() + "/windows";
  }

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
    // no copy of each record between chained operators: none of the job's functions keeps or changes
    // a record it was given (each builds new ones), and the sinks encode rows as they come
    env.getConfig().enableObjectReuse();
    Catalog catalog = Catalogs.open(settings.config());
    FeatureTables tables = new FeatureTables(catalog, settings.config().get(OfflineOptions.NAMESPACE));
    Table table = tables.ensure(contract);
    boolean kafka = settings.bootstrapServers() != null;
    KafkaClients clients = kafka ? settings.kafka() : null;
    if (kafka) {
      Topics.ensure(clients, contract.changelogTopic(), true, settings.config().get(IngestOptions.CHANGELOG_PARTITIONS),
          settings.config().get(IngestOptions.REPLICATION_FACTOR));
      // readers meet the writer schema on every partition before the first row written with it
      Topics.publishSchema(clients, contract.changelogTopic(), WriterSchema.of(contract));
    }
    DataStream<JobRecords.Raw> raw;
    if (fromFile != null) {
      String name = fromFile.getFileName().toString();
      String kind = name.endsWith(".avro") ? FileEventFormat.BINARY : FileEventFormat.JSON;
      if (!name.endsWith(".avro") && !name.endsWith(".jsonl") && !name.endsWith(".json")) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot ingest '" + fromFile + "': expected a .jsonl or .avro file");
      }
      FileSource<JobRecords.Raw> files = FileSource.forRecordStreamFormat(
          new FileEventFormat(kind, contract.source().schema(), fromFile.toString()),
          new org.apache.flink.core.fs.Path(fromFile.toAbsolutePath().toUri())).build();
      raw = env.fromSource(files, WatermarkStrategy.noWatermarks(), "file:" + name).setParallelism(1)
          .uid(contract.tableName() + "/file-source");
    } else {
      if (!kafka) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot ingest " + contract.id() + " from Kafka: no bootstrap servers configured");
      }
      Topics.ensure(clients, contract.source().dlqTopic(), false, settings.config().get(IngestOptions.DLQ_PARTITIONS),
          settings.config().get(IngestOptions.REPLICATION_FACTOR));
      var source = KafkaSource.<JobRecords.Raw>builder()
          .setProperties(clients.consumer()) // security and tuning from config; what follows is Tessera's and wins
          .setBootstrapServers(settings.bootstrapServers())
          .setTopics(contract.source().topic())
          .setGroupId(settings.groupId())
          .setStartingOffsets(settings.startingOffsets())
          .setProperty("commit.offsets.on.checkpoint", "true")
          // tessera dlq replay writes its copies and its markers in one transaction
          .setProperty("isolation.level", "read_committed")
          .setDeserializer(new SourceDeserializer(contract, settings.confluentSchemaIds()));
      if (settings.bounded()) {
        source.setBounded(OffsetsInitializer.latest());
      }
      // watermarks per partition, in the source: the job's watermark never runs ahead of a lagging partition
      KafkaSource<JobRecords.Raw> kafkaSource = source.build();
      // bounded: a job resumed from a checkpoint must still finish (see RestorableBoundedKafkaSource)
      org.apache.flink.api.connector.source.Source<JobRecords.Raw, ?, ?> from = settings.bounded()
          ? new RestorableBoundedKafkaSource<>(kafkaSource) : kafkaSource;
      raw = env.fromSource(from, watermarks(contract, settings, (JobRecords.Raw r) -> r.eventTime), "kafka:" + contract.source().topic())
          .uid(contract.tableName() + "/source");
    }
    // chained to the source (same parallelism, forward): a partition's records and watermarks stay in order
    SingleOutputStreamOperator<JobRecords.Event> events = raw
        .process(new DecodeFunction(contract, settings.confluentSchemaIds(), settings.archive(), settings.bootstrap())).name("decode and validate")
        .setParallelism(raw.getParallelism())
        .uid(contract.tableName() + "/validate");
    // a file is one partition read in order: its watermark can follow the decoded events
    DataStream<JobRecords.Event> timed = fromFile == null ? events
        : events.assignTimestampsAndWatermarks(watermarks(contract, settings, (JobRecords.Event e) -> e.time));
    SingleOutputStreamOperator<JobRecords.Row> rows = timed
        .keyBy(e -> e.key)
        .transform("windows", TypeInformation.of(JobRecords.Row.class),
            new WindowOperator(new WindowFunction(contract, holdHotKeys(settings)), new FeatureWindows(contract).layout(), settings.bootstrap()))
        .uid(windowsUid(contract));
    DataStream<JobRecords.Rejected> dlq = events.getSideOutput(DecodeFunction.DLQ).union(rows.getSideOutput(WindowFunction.TOO_LATE));

    if (kafka) {
      rows.filter(r -> r.changelog).name("changelog rows").sinkTo(KafkaSink.<JobRecords.Row>builder().setKafkaProducerConfig(clients.producer()).setBootstrapServers(settings.bootstrapServers())
          .setRecordSerializer(new SinkSerializers.Changelog(contract)).setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).build())
          .name("changelog:" + contract.changelogTopic()).uid(contract.tableName() + "/changelog");
    }
    CloseableIterator<JobRecords.Rejected> fileDlq = null;
    if (fromFile != null) {
      fileDlq = dlq.collectAsync();
    } else {
      dlq.sinkTo(KafkaSink.<JobRecords.Rejected>builder().setKafkaProducerConfig(clients.producer()).setBootstrapServers(settings.bootstrapServers())
          .setRecordSerializer(new SinkSerializers.Dlq(contract)).setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).build())
          .name("dlq:" + contract.source().dlqTopic()).uid(contract.tableName() + "/dlq");
    }

    FlinkSink.builderFor(rows.filter(r -> r.isFinal).name("final rows"), new SinkSerializers.ToRowData(contract, table.schema()),
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

  private static <T> WatermarkStrategy<T> watermarks(FeatureSetContract contract, IngestSettings settings,
      org.apache.flink.util.function.SerializableFunction<T, Long> eventTime) {
    return WatermarkStrategy.<T>forBoundedOutOfOrderness(contract.source().maxOutOfOrderness())
        .withTimestampAssigner((r, ts) -> {
          Long t = eventTime.apply(r);
          return t == null ? Long.MIN_VALUE : t;
        })
        .withIdleness(settings.idleTimeout());
  }

  private static TableLoader tableLoader(IngestSettings settings, org.apache.iceberg.catalog.TableIdentifier id) {
    return tableLoader(settings.config(), id);
  }

  /** A loader of table {@code id} in the catalog of {@code config}, as Iceberg's Flink sink opens it on the task managers. */
  static TableLoader tableLoader(dev.tessera.config.TesseraConfig config, org.apache.iceberg.catalog.TableIdentifier id) {
    Map<String, String> props = Catalogs.properties(config);
    String impl = switch (config.get(OfflineOptions.CATALOG_TYPE)) {
      case JDBC -> "org.apache.iceberg.jdbc.JdbcCatalog";
      case REST -> "org.apache.iceberg.rest.RESTCatalog";
    };
    props.put(CatalogProperties.CATALOG_IMPL, impl);
    CatalogLoader catalogLoader = CatalogLoader.custom(config.get(OfflineOptions.CATALOG_NAME), props,
        new org.apache.hadoop.conf.Configuration(), impl);
    return TableLoader.fromCatalog(catalogLoader, id);
  }
}
