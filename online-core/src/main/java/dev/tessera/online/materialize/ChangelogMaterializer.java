package dev.tessera.online.materialize;

import dev.tessera.errors.TesseraException;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.rows.ChangelogRowReader;
import dev.tessera.contracts.rows.WriterSchema;
import dev.tessera.contracts.rows.WriterSchemas;
import dev.tessera.kafka.ChangelogRecords;
import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.StoredRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Materialises the changelog topics of the served contracts into an {@link OnlineStore}, a batch
 * per partition stored atomically with the partition's next offset. Schema records (see {@link
 * ChangelogRecords}) are kept in the store and in the shared {@link WriterSchemas}; a row's event
 * time and sequence, which order writes, are read by schema resolution like every other field.
 *
 * <ul>
 *   <li>{@link #allPartitions}: the replica reads every partition itself (no consumer group), for
 *       the embedded RocksDB store that each replica holds in full;
 *   <li>{@link #consumerGroup}: the shared store (Redis) is written by a consumer group whose
 *       members split the partitions; on every assignment a member seeks to the offsets stored
 *       with the data, so a rebalance or restart neither skips nor replays.
 * </ul>
 *
 * Either way a restart resumes from the stored offsets instead of replaying the topic. Not thread
 * safe: one thread drives {@link #pollOnce}.
 */
public final class ChangelogMaterializer implements AutoCloseable {
  /** Called for every row applied (whether it replaced the stored one or not). */
  public interface Listener {
    void applied(String topic, long eventTime, long visibleAtMillis);
  }

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final OnlineStore store;
  private final Map<String, ChangelogRowReader> readers = new HashMap<>();
  private final WriterSchemas schemas;
  private final List<String> topics = new ArrayList<>();
  private final boolean group;
  private final List<TopicPartition> assigned = new ArrayList<>();
  private final AtomicLong applied = new AtomicLong();
  private Listener listener = (topic, eventTime, at) -> {};

  private ChangelogMaterializer(dev.tessera.kafka.KafkaClients kafka, List<FeatureSetContract> contracts, OnlineStore store, WriterSchemas schemas,
      String groupId) {
    Properties p = dev.tessera.kafka.Consumers.bytes(kafka); // ingest creates changelog topics, compacted
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    if (groupId != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    this.consumer = new KafkaConsumer<>(p);
    this.store = store;
    this.schemas = schemas;
    this.group = groupId != null;
    for (FeatureSetContract c : contracts) {
      readers.put(c.changelogTopic(), new ChangelogRowReader(c, schemas));
      topics.add(c.changelogTopic());
    }
    if (group) {
      consumer.subscribe(topics, new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
          assigned.removeAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          assigned.addAll(partitions);
          seekToStored(partitions);
        }
      });
    } else {
      refreshPartitions();
    }
  }

  /** Every replica reads every partition of {@code contracts}' changelog topics into its own store. */
  public static ChangelogMaterializer allPartitions(String bootstrapServers, List<FeatureSetContract> contracts, OnlineStore store,
      WriterSchemas schemas) {
    return allPartitions(dev.tessera.kafka.KafkaClients.plain(bootstrapServers), contracts, store, schemas);
  }

  /** Every partition, over the configured clients (security, tuning). */
  public static ChangelogMaterializer allPartitions(dev.tessera.kafka.KafkaClients kafka, List<FeatureSetContract> contracts, OnlineStore store,
      WriterSchemas schemas) {
    return new ChangelogMaterializer(kafka, contracts, store, schemas, null);
  }

  /** Members of consumer group {@code groupId} split the partitions and write one shared store. */
  public static ChangelogMaterializer consumerGroup(String bootstrapServers, List<FeatureSetContract> contracts, OnlineStore store,
      WriterSchemas schemas, String groupId) {
    return consumerGroup(dev.tessera.kafka.KafkaClients.plain(bootstrapServers), contracts, store, schemas, groupId);
  }

  /** A consumer group, over the configured clients (security, tuning). */
  public static ChangelogMaterializer consumerGroup(dev.tessera.kafka.KafkaClients kafka, List<FeatureSetContract> contracts, OnlineStore store,
      WriterSchemas schemas, String groupId) {
    return new ChangelogMaterializer(kafka, contracts, store, schemas, groupId);
  }

  public ChangelogMaterializer listener(Listener listener) {
    this.listener = listener;
    return this;
  }

  /**
   * In {@link #allPartitions} mode, assigns partitions that appeared since the last call (a topic
   * that ingest has not created yet, or more partitions). Returns whether anything was added.
   */
  public boolean refreshPartitions() {
    if (group) {
      return false;
    }
    List<TopicPartition> added = new ArrayList<>();
    for (String topic : topics) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
      for (PartitionInfo info : infos == null ? List.<PartitionInfo>of() : infos) {
        TopicPartition tp = new TopicPartition(info.topic(), info.partition());
        if (!assigned.contains(tp)) {
          added.add(tp);
        }
      }
    }
    if (!added.isEmpty()) {
      assigned.addAll(added);
      consumer.assign(assigned);
      seekToStored(added);
    }
    return !added.isEmpty();
  }

  private void seekToStored(Collection<TopicPartition> partitions) {
    Map<String, Map<Integer, Long>> stored = new HashMap<>();
    for (TopicPartition tp : partitions) {
      Long offset = stored.computeIfAbsent(tp.topic(), store::offsets).get(tp.partition());
      if (offset == null) {
        consumer.seekToBeginning(List.of(tp));
      } else {
        consumer.seek(tp, offset);
      }
    }
  }

  /**
   * Applies everything up to the end offsets as of this call; returns the number of records read.
   * In consumer-group mode this covers the partitions assigned to this member.
   */
  public long catchUp(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long read = 0;
    if (group) {
      while (assigned.isEmpty() && System.nanoTime() < deadline) {
        read += pollOnce(Duration.ofMillis(100));
      }
    }
    Map<TopicPartition, Long> end = consumer.endOffsets(assigned);
    while (assigned.stream().anyMatch(tp -> end.containsKey(tp) && consumer.position(tp) < end.get(tp))) {
      if (System.nanoTime() > deadline) {
        throw new TesseraException(ErrorCode.UNAVAILABLE, "changelog not caught up within " + timeout);
      }
      read += pollOnce(Duration.ofMillis(200));
    }
    return read;
  }

  /** Polls once and applies the records, a batch per partition with its next offset. */
  public long pollOnce(Duration timeout) {
    if (assigned.isEmpty() && !group) {
      sleep(timeout);
      return 0;
    }
    ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
    long now = System.currentTimeMillis();
    for (TopicPartition tp : records.partitions()) {
      List<OnlineStore.Write> writes = new ArrayList<>();
      long next = -1;
      for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
        next = r.offset() + 1;
        if (r.key() == null || r.value() == null) {
          continue; // a tombstone: nothing to serve
        }
        if (ChangelogRecords.isSchemaRecord(r.headers())) {
          WriterSchema schema = WriterSchema.fromJson(r.value());
          store.saveSchema(schema);
          schemas.register(schema);
          continue;
        }
        long[] order = readers.get(tp.topic()).timeAndSequence(r.value());
        writes.add(new OnlineStore.Write(r.key(), new StoredRow(r.value(), order[0], order[1])));
      }
      store.apply(tp.topic(), tp.partition(), writes, next);
      long visible = System.currentTimeMillis();
      for (OnlineStore.Write w : writes) {
        listener.applied(tp.topic(), w.row().eventTime(), visible);
      }
      applied.addAndGet(writes.size());
    }
    return records.count();
  }

  /** Partitions this materializer reads now. */
  public Set<TopicPartition> assignment() {
    return Set.copyOf(assigned);
  }

  /** Changelog rows read since this materializer started (schema records and tombstones not counted). */
  public long appliedRecords() {
    return applied.get();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops a blocked {@link #pollOnce} from another thread. */
  public void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
