package dev.tessera.ingest.job;

import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.api.FeatureType;
import dev.tessera.contracts.schema.FeatureRowSchemas;
import dev.tessera.ingest.window.Tagged;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** Serializers of the three outputs: changelog records, DLQ records, and Iceberg rows. */
final class Sinks {
  private Sinks() {}

  /** Changelog: key = Avro binary of the key record, value = Avro binary of the changelog row. */
  static final class Changelog implements KafkaRecordSerializationSchema<Records.Row> {
    private final FeatureSetContract contract;
    private final String topic;
    private transient Schema keySchema;
    private transient Schema valueSchema;
    private transient GenericDatumWriter<GenericRecord> keyWriter;
    private transient GenericDatumWriter<GenericRecord> valueWriter;
    private transient BinaryEncoder encoder;

    Changelog(FeatureSetContract contract) {
      this.contract = contract;
      this.topic = contract.changelogTopic();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Records.Row row, KafkaSinkContext context, Long timestamp) {
      if (keySchema == null) {
        keySchema = FeatureRowSchemas.avroKey(contract);
        valueSchema = FeatureRowSchemas.avroChangelog(contract);
        keyWriter = new GenericDatumWriter<>(keySchema);
        valueWriter = new GenericDatumWriter<>(valueSchema);
      }
      Object[] keys = Tagged.decode(row.keyValues);
      Object[] values = Tagged.decode(row.values);
      GenericRecord key = new GenericData.Record(keySchema);
      GenericRecord value = new GenericData.Record(valueSchema);
      for (int i = 0; i < keys.length; i++) {
        String name = contract.entity().keys().get(i).name();
        Object v = avroValue(keys[i], contract.entity().keys().get(i).type());
        key.put(name, v);
        value.put(name, v);
      }
      for (int i = 0; i < values.length; i++) {
        value.put(contract.features().get(i).name(), avroValue(values[i], contract.features().get(i).type()));
      }
      value.put(FeatureSetContract.EVENT_TIME_COLUMN, row.eventTime);
      value.put(FeatureRowSchemas.SEQUENCE_FIELD, row.sequence);
      return new ProducerRecord<>(topic, null, row.eventTime, bytes(keyWriter, key), bytes(valueWriter, value));
    }

    private byte[] bytes(GenericDatumWriter<GenericRecord> writer, GenericRecord record) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(64);
      encoder = EncoderFactory.get().binaryEncoder(out, encoder);
      try {
        writer.write(record, encoder);
        encoder.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toByteArray();
    }

    private static Object avroValue(Object v, FeatureType type) {
      if (v == null) {
        return null;
      }
      return switch (type) {
        case INT -> ((Number) v).intValue();
        case LONG, TIMESTAMP -> ((Number) v).longValue();
        default -> v;
      };
    }
  }

  /** DLQ: the original bytes, with headers naming the contract, reason and source position. */
  static final class Dlq implements KafkaRecordSerializationSchema<Records.Rejected> {
    private final String topic;
    private final String contract;
    private final String version;

    Dlq(FeatureSetContract contract) {
      this.topic = contract.source().dlqTopic();
      this.contract = contract.name();
      this.version = contract.version().toString();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Records.Rejected r, KafkaSinkContext context, Long timestamp) {
      RecordHeaders headers = new RecordHeaders();
      headers.add("tessera.contract", utf8(contract));
      headers.add("tessera.version", utf8(version));
      headers.add("tessera.reason", utf8(r.reason));
      headers.add("tessera.detail", utf8(r.detail));
      headers.add("tessera.source.topic", utf8(r.topic));
      headers.add("tessera.source.partition", utf8(Integer.toString(r.partition)));
      headers.add("tessera.source.offset", utf8(Long.toString(r.offset)));
      return new ProducerRecord<>(topic, null, null, null, r.payload, headers);
    }

    private static byte[] utf8(String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
  }

  /** Final rows as Iceberg RowData, in the table's column order (columns unknown to this version are null). */
  static final class ToRowData implements MapFunction<Records.Row, RowData> {
    private final int[] source; // >= 0 key index, < -1 feature index -(i+2), -1 event time, Integer.MIN_VALUE null
    private final List<Type.TypeID> types;

    ToRowData(FeatureSetContract contract, org.apache.iceberg.Schema tableSchema) {
      List<String> keys = contract.entity().keyNames();
      List<String> features = contract.featureNames();
      source = new int[tableSchema.columns().size()];
      types = new ArrayList<>();
      for (int i = 0; i < source.length; i++) {
        Types.NestedField f = tableSchema.columns().get(i);
        types.add(f.type().typeId());
        if (f.name().equals(FeatureSetContract.EVENT_TIME_COLUMN)) {
          source[i] = -1;
        } else if (keys.contains(f.name())) {
          source[i] = keys.indexOf(f.name());
        } else if (features.contains(f.name())) {
          source[i] = -(features.indexOf(f.name()) + 2);
        } else {
          source[i] = Integer.MIN_VALUE;
        }
      }
    }

    @Override
    public RowData map(Records.Row row) {
      Object[] keys = Tagged.decode(row.keyValues);
      Object[] values = Tagged.decode(row.values);
      GenericRowData out = new GenericRowData(source.length);
      for (int i = 0; i < source.length; i++) {
        Object v = source[i] == -1 ? (Object) row.eventTime
            : source[i] == Integer.MIN_VALUE ? null
            : source[i] >= 0 ? keys[source[i]] : values[-source[i] - 2];
        out.setField(i, flink(v, types.get(i)));
      }
      return out;
    }

    private static Object flink(Object v, Type.TypeID type) {
      if (v == null) {
        return null;
      }
      return switch (type) {
        case STRING -> StringData.fromString(v.toString());
        case TIMESTAMP -> TimestampData.fromEpochMillis(((Number) v).longValue());
        case INTEGER -> ((Number) v).intValue();
        case LONG -> ((Number) v).longValue();
        case FLOAT -> ((Number) v).floatValue();
        case DOUBLE -> ((Number) v).doubleValue();
        default -> v;
      };
    }
  }
}
