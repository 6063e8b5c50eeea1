package dev.tessera.online.materialize;

import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.schema.FeatureRowSchemas;
import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.StoredRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Materialises the changelog topics of the served contracts into an {@link OnlineStore}. Each
 * replica reads every partition (no consumer group), starting from the offsets stored with the
 * data, so a restart resumes where it stopped instead of replaying the topic.
 */
public final class ChangelogMaterializer implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final OnlineStore store;
  private final Map<String, GenericDatumReader<GenericRecord>> readers = new HashMap<>();
  private final List<TopicPartition> partitions = new ArrayList<>();
  private final AtomicLong applied = new AtomicLong();
  private BinaryDecoder decoder;

  public ChangelogMaterializer(String bootstrapServers, List<FeatureSetContract> contracts, OnlineStore store) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    this.consumer = new KafkaConsumer<>(p);
    this.store = store;
    for (FeatureSetContract c : contracts) {
      Schema schema = FeatureRowSchemas.avroChangelog(c);
      readers.put(c.changelogTopic(), new GenericDatumReader<>(schema));
      consumer.partitionsFor(c.changelogTopic(), Duration.ofSeconds(30))
          .forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
    }
    consumer.assign(partitions);
    for (TopicPartition tp : partitions) {
      Long stored = store.offsets(tp.topic()).get(tp.partition());
      if (stored == null) {
        consumer.seekToBeginning(List.of(tp));
      } else {
        consumer.seek(tp, stored);
      }
    }
  }

  /**
   * Applies everything up to the end offsets as of this call (what readiness waits for); returns
   * the number of records read.
   */
  public long catchUp(Duration timeout) {
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    long deadline = System.nanoTime() + timeout.toNanos();
    long read = 0;
    while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("changelog not caught up within " + timeout);
      }
      read += pollOnce(Duration.ofMillis(200));
    }
    return read;
  }

  /** Polls once and applies the records, a batch per partition with its next offset. */
  public long pollOnce(Duration timeout) {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
    for (TopicPartition tp : records.partitions()) {
      List<OnlineStore.Write> writes = new ArrayList<>();
      long next = -1;
      for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
        next = r.offset() + 1;
        if (r.key() == null || r.value() == null) {
          continue; // a tombstone: nothing to serve
        }
        GenericRecord value = decode(tp.topic(), r.value());
        writes.add(new OnlineStore.Write(r.key(),
            new StoredRow(r.value(), (Long) value.get(dev.tessera.contracts.api.FeatureSetContract.EVENT_TIME_COLUMN),
                (Long) value.get(FeatureRowSchemas.SEQUENCE_FIELD))));
      }
      store.apply(tp.topic(), tp.partition(), writes, next);
      applied.addAndGet(records.records(tp).size());
    }
    return records.count();
  }

  /** Records read since this materializer started. */
  public long appliedRecords() {
    return applied.get();
  }

  private GenericRecord decode(String topic, byte[] bytes) {
    decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
    try {
      return readers.get(topic).read(null, decoder);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot decode a changelog record of " + topic, e);
    }
  }

  @Override
  public void close() {
    consumer.close();
  }
}
