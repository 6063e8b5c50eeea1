package dev.tessera.ingest.job;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.ingest.decode.Decoded;
import dev.tessera.ingest.decode.EventDecoder;
import dev.tessera.ingest.decode.SourceFields;
import dev.tessera.ingest.window.ValueArrayCodec;
import dev.tessera.kafka.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Decodes Kafka payloads in the source, so that each partition gets its own watermark from the
 * event times it carries (Flink's per-split watermarks): the job's watermark is then the minimum
 * over partitions, never ahead of a lagging one. Undecodable payloads pass on with their rejection
 * for the DLQ. An event {@code tessera dlq replay} put back keeps its {@code tessera.replay.of}
 * header (where its original is), for {@link DecodeFunction} to count it once.
 */
final class SourceDeserializer implements KafkaRecordDeserializationSchema<JobRecords.Raw> {
  private final FeatureSetContract contract;
  private final Set<Integer> confluentIds;
  private transient EventDecoder decoder;
  private transient SourceFields fields;

  SourceDeserializer(FeatureSetContract contract, Set<Integer> confluentIds) {
    this.contract = contract;
    this.confluentIds = Set.copyOf(confluentIds);
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    decoder = new EventDecoder(contract, confluentIds);
    fields = new SourceFields(contract);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<JobRecords.Raw> out) {
    JobRecords.Raw raw = new JobRecords.Raw(record.value() == null ? new byte[0] : record.value(), record.topic(), record.partition(), record.offset());
    Header replay = record.headers().lastHeader(DeadLetters.REPLAY_OF);
    if (replay != null && replay.value() != null) {
      raw.replayOf = new String(replay.value(), StandardCharsets.UTF_8);
      Header target = record.headers().lastHeader(DeadLetters.REPLAY_FOR);
      raw.replayFor = target == null || target.value() == null ? null : new String(target.value(), StandardCharsets.UTF_8);
    }
    Object decoded = decoder.decodeRecord(raw.payload);
    if (decoded instanceof Decoded.Rejected r) {
      raw.rejection = r.reason().name();
      raw.rejectionDetail = r.detail();
    } else {
      Map<String, Object> byName = EventDecoder.fields(contract.source().schema(), (GenericRecord) decoded);
      raw.fields = ValueArrayCodec.encode(fields.values(byName));
      raw.eventTime = fields.eventTime(byName);
    }
    out.collect(raw);
  }

  @Override
  public TypeInformation<JobRecords.Raw> getProducedType() {
    return TypeInformation.of(JobRecords.Raw.class);
  }
}
