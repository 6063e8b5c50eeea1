package dev.tessera.model.log;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every prediction, written to the Kafka topic {@code tessera.predictions.<model>} (key: the
 * request id; value: one JSON record per entity and version scored). Logging never blocks or fails
 * a prediction: records wait in a bounded buffer that one thread drains into an idempotent
 * producer; a full buffer or a failed send drops the record and counts it.
 */
public final class PredictionLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PredictionLog.class);

  private record Entry(String key, byte[] value) {}

  private final String topic;
  private final BlockingQueue<Entry> buffer;
  private final KafkaProducer<String, byte[]> producer;
  private final dev.tessera.kafka.KafkaClients kafka;
  private final int partitions;
  private final int replicationFactor;
  private final Thread sender;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean running = true;

  /** A log to {@code tessera.predictions.<model>} on {@code bootstrap}; null bootstrap: every record is dropped (and counted). */
  public PredictionLog(String model, String bootstrap, int capacity) {
    this(model, dev.tessera.kafka.KafkaClients.plain(bootstrap), capacity, 1, -1);
  }

  /** A log over the configured Kafka clients (security, tuning); no bootstrap servers: every record is dropped (and counted). */
  public PredictionLog(String model, dev.tessera.kafka.KafkaClients kafka, int capacity, int partitions, int replicationFactor) {
    this.topic = topic(model);
    this.partitions = partitions;
    this.replicationFactor = replicationFactor;
    this.kafka = kafka;
    String bootstrap = kafka.bootstrapServers();
    this.buffer = new ArrayBlockingQueue<>(Math.max(1, capacity));
    if (bootstrap == null || bootstrap.isBlank()) {
      producer = null;
      sender = null;
      return;
    }
    Properties p = kafka.producer();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "tessera-prediction-log-" + model);
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    sender = new Thread(this::drain, "prediction-log-" + model);
    sender.setDaemon(true);
    sender.start();
  }

  public static String topic(String model) {
    return "tessera.predictions." + model;
  }

  public String topic() {
    return topic;
  }

  /** Hands a record to the log without waiting: false (and counted as dropped) when the buffer is full. */
  public boolean offer(String key, byte[] value) {
    if (producer == null || !running || !buffer.offer(new Entry(key, value))) {
      dropped.incrementAndGet();
      return false;
    }
    return true;
  }

  public long written() {
    return written.get();
  }

  public long dropped() {
    return dropped.get();
  }

  public int buffered() {
    return buffer.size();
  }

  private void drain() {
    ensureTopic();
    List<Entry> batch = new ArrayList<>();
    while (running || !buffer.isEmpty()) {
      try {
        Entry first = buffer.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        buffer.drainTo(batch, 4096);
        for (Entry e : batch) {
          producer.send(new ProducerRecord<>(topic, e.key, e.value), (md, ex) -> {
            if (ex != null) {
              dropped.incrementAndGet();
            } else {
              written.incrementAndGet();
            }
          });
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        dropped.addAndGet(batch.size());
        LOG.warn("Prediction log: cannot send to {}: {}", topic, e.toString());
      }
      batch.clear();
    }
  }

  /** Creates the topic (1 partition here; a platform creates it ahead with its own layout); an existing one is kept. */
  private void ensureTopic() {
    Properties props = kafka.admin();
    props.put("request.timeout.ms", 10_000);
    props.put("default.api.timeout.ms", 10_000);
    try (Admin admin = Admin.create(props)) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) replicationFactor))).all().get(15, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        LOG.warn("Prediction log: cannot create topic {} ({}); records are sent anyway", topic, e.getCause().toString());
      }
    } catch (Exception e) {
      LOG.warn("Prediction log: cannot create topic {} ({}); records are sent anyway", topic, e.toString());
    }
  }

  /** Sends what is buffered (waiting up to 10 s), then closes the producer. */
  @Override
  public void close() {
    running = false;
    if (sender != null) {
      try {
        sender.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      producer.close(Duration.ofSeconds(10));
    }
  }
}
