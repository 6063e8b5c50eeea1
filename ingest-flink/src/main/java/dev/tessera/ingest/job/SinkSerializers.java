package dev.tessera.ingest.job;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.rows.ChangelogRowWriter;
import dev.tessera.contracts.rows.EntityKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
final class SinkSerializers {
  private SinkSerializers() {}

  /** Changelog: key = the encoded entity key, value = the changelog row ({@link ChangelogRowWriter}). */
  static final class Changelog implements KafkaRecordSerializationSchema<JobRecords.Row> {
    private final FeatureSetContract contract;
    private final String topic;
    private transient ChangelogRowWriter writer;

    Changelog(FeatureSetContract contract) {
      this.contract = contract;
      this.topic = contract.changelogTopic();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(JobRecords.Row row, KafkaSinkContext context, Long timestamp) {
      if (writer == null) {
        writer = new ChangelogRowWriter(contract);
      }
      byte[] value = writer.encode(row.key, row.values, row.eventTime, row.sequence, row.missing);
      // no record timestamp: brokers refuse timestamps far from their clock (an event time ahead by
      // more than log.message.timestamp.after.max.ms would fail the job); the row carries its event time
      return new ProducerRecord<>(topic, null, null, row.key, value);
    }
  }

  /** DLQ: the original bytes, with headers naming the contract, reason and source position. */
  static final class Dlq implements KafkaRecordSerializationSchema<JobRecords.Rejected> {
    private final String topic;
    private final String contract;
    private final String version;

    Dlq(FeatureSetContract contract) {
      this.topic = contract.source().dlqTopic();
      this.contract = contract.name();
      this.version = contract.version().toString();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(JobRecords.Rejected r, KafkaSinkContext context, Long timestamp) {
      RecordHeaders headers = new RecordHeaders();
      headers.add("tessera.contract", utf8(contract));
      headers.add("tessera.version", utf8(version));
      headers.add("tessera.reason", utf8(r.reason));
      headers.add("tessera.detail", utf8(r.detail));
      headers.add("tessera.source.topic", utf8(r.topic));
      headers.add("tessera.source.partition", utf8(Integer.toString(r.partition)));
      headers.add("tessera.source.offset", utf8(Long.toString(r.offset)));
      if (r.replayOf != null) {
        headers.add(dev.tessera.kafka.DeadLetters.REPLAY_OF, utf8(r.replayOf));
      }
      return new ProducerRecord<>(topic, null, null, null, r.payload, headers);
    }

    private static byte[] utf8(String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
  }

  /**
   * Final rows as Iceberg RowData in the table's column order, from the window's values by name
   * (columns this contract version lacks are null). A key's rows come one after another with the
   * same key array (a timer's rows), so its decoded columns are reused while the array is.
   */
  static final class ToRowData implements MapFunction<JobRecords.Row, RowData> {
    private final FeatureSetContract contract;
    private final int[] source; // >= 0 key index, < -1 feature index -(i+2), -1 event time, Integer.MIN_VALUE null
    private final List<Type.TypeID> types;
    private transient byte[] lastKey;
    private transient Object[] lastKeyColumns;

    ToRowData(FeatureSetContract contract, org.apache.iceberg.Schema tableSchema) {
      this.contract = contract;
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
    public RowData map(JobRecords.Row row) {
      if (row.key != lastKey) {
        Object[] keys = EntityKeys.decode(contract, row.key);
        lastKeyColumns = new Object[source.length];
        for (int i = 0; i < source.length; i++) {
          if (source[i] >= 0) {
            lastKeyColumns[i] = flink(keys[source[i]], types.get(i));
          }
        }
        lastKey = row.key;
      }
      Object[] values = row.values;
      GenericRowData out = new GenericRowData(source.length);
      for (int i = 0; i < source.length; i++) {
        int from = source[i];
        out.setField(i, from >= 0 ? lastKeyColumns[i]
            : from == -1 ? flink(row.eventTime, types.get(i))
            : from == Integer.MIN_VALUE ? null
            : flink(values[-from - 2], types.get(i)));
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
