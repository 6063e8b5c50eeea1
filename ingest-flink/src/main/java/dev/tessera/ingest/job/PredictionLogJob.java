package dev.tessera.ingest.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.config.OfflineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.PredictionTables;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.util.Collector;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.sink.FlinkSink;
import org.apache.iceberg.flink.util.FlinkCompatibilityUtil;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The prediction log of a model service into its Iceberg table ({@link PredictionTables}): the
 * Kafka topic {@code tessera.predictions.<model>} read from the committed offsets of group {@code
 * tessera-prediction-log.<model>} (earliest at first), each JSON record a row with its Kafka
 * coordinates, appended by Iceberg's Flink sink on each checkpoint: exactly once across restarts,
 * the same path as feature rows. A record that is not a prediction record is skipped.
 */
public final class PredictionLogJob {
  private PredictionLogJob() {}

  public static String topic(String model) {
    return "tessera.predictions." + model;
  }

  /** Adds the pipeline of {@code model} to {@code env}; its table is created when missing. */
  public static Table define(StreamExecutionEnvironment env, TesseraConfig config, String bootstrap, String model) {
    PredictionTables tables = new PredictionTables(Catalogs.open(config), config.get(OfflineOptions.NAMESPACE));
    Table table = tables.ensure(model);
    KafkaSource<Tuple3<Integer, Long, byte[]>> source = KafkaSource.<Tuple3<Integer, Long, byte[]>>builder()
        .setProperties(dev.tessera.kafka.KafkaClients.of(config).withBootstrapServers(bootstrap).consumer())
        .setBootstrapServers(bootstrap)
        .setTopics(topic(model))
        .setGroupId("tessera-prediction-log." + model)
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
        .setProperty("commit.offsets.on.checkpoint", "true")
        .setProperty("partition.discovery.interval.ms", "10000")
        .setDeserializer(new Records())
        .build();
    var rows = env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka:" + topic(model)).uid("predictions:" + model + "/source")
        .map(new ToRow()).name("prediction rows").uid("predictions:" + model + "/rows")
        .returns(FlinkCompatibilityUtil.toTypeInfo(FlinkSchemaUtil.convert(table.schema())));
    FlinkSink.forRowData(rows)
        .tableLoader(IngestJob.tableLoader(config, tables.identifier(model)))
        .uidPrefix("predictions:" + model + "/iceberg")
        .append();
    return table;
  }

  /** Partition, offset and value of each record. */
  static final class Records implements KafkaRecordDeserializationSchema<Tuple3<Integer, Long, byte[]>> {
    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<Tuple3<Integer, Long, byte[]>> out) throws IOException {
      if (r.value() != null) {
        out.collect(Tuple3.of(r.partition(), r.offset(), r.value()));
      }
    }

    @Override
    public TypeInformation<Tuple3<Integer, Long, byte[]>> getProducedType() {
      return TypeInformation.of(new org.apache.flink.api.common.typeinfo.TypeHint<Tuple3<Integer, Long, byte[]>>() {});
    }
  }

  /** A prediction record (JSON, as the model service writes it) as a row of {@link PredictionTables#SCHEMA}. */
  static final class ToRow implements MapFunction<Tuple3<Integer, Long, byte[]>, RowData> {
    private transient ObjectMapper json;

    @Override
    public RowData map(Tuple3<Integer, Long, byte[]> r) throws IOException {
      if (json == null) {
        json = new ObjectMapper();
      }
      JsonNode n = json.readTree(r.f2);
      GenericRowData row = new GenericRowData(14);
      row.setField(0, StringData.fromString(n.path("request_id").asText()));
      row.setField(1, n.path("index").asInt());
      row.setField(2, StringData.fromString(n.path("model").asText()));
      row.setField(3, StringData.fromString(n.path("version").asText()));
      row.setField(4, StringData.fromString(n.path("route").asText()));
      row.setField(5, n.path("answered").asBoolean());
      row.setField(6, TimestampData.fromEpochMillis(n.path("time").asLong()));
      row.setField(7, map(n.path("entity"), v -> StringData.fromString(v.asText())));
      row.setField(8, map(n.path("features"), JsonNode::asDouble));
      row.setField(9, map(n.path("event_times"), v -> TimestampData.fromEpochMillis(v.asLong())));
      row.setField(10, n.path("outputs").isObject() ? map(n.path("outputs"), v -> {
        if (v.isArray()) {
          double[] a = new double[v.size()];
          for (int i = 0; i < a.length; i++) {
            a[i] = v.get(i).asDouble();
          }
          return new GenericArrayData(a);
        }
        return new GenericArrayData(new double[] {v.asDouble()});
      }) : null);
      row.setField(11, n.hasNonNull("rejected") ? StringData.fromString(n.path("rejected").asText()) : null);
      row.setField(12, r.f0);
      row.setField(13, r.f1);
      return row;
    }

    private static GenericMapData map(JsonNode object, java.util.function.Function<JsonNode, Object> value) {
      if (!object.isObject()) {
        return null;
      }
      Map<Object, Object> m = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        m.put(StringData.fromString(e.getKey()), e.getValue().isNull() ? null : value.apply(e.getValue()));
      }
      return new GenericMapData(m);
    }
  }
}
