package dev.tessera.kafka;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.rows.WriterSchema;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes changelog rows from outside a stream (a backfill's latest values, a replay): the writer
 * schema record first, then rows keyed by the encoded entity key. {@link #finish} waits for every
 * acknowledgement and fails if any send failed.
 */
public final class ChangelogPublisher implements AutoCloseable {
  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final AtomicLong acknowledged = new AtomicLong();
  private long sent;

  public ChangelogPublisher(String bootstrapServers, String topic, WriterSchema schema) {
    this(KafkaClients.plain(bootstrapServers), topic, schema);
  }

  public ChangelogPublisher(KafkaClients kafka, String topic, WriterSchema schema) {
    this.topic = topic;
    Topics.publishSchema(kafka, topic, schema);
    Properties p = kafka.producer();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  public void send(byte[] key, byte[] row) {
    Exception f = failure.get();
    if (f != null) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot publish to " + topic + ": " + f.getMessage(), f);
    }
    producer.send(new ProducerRecord<>(topic, key, row), (meta, e) -> {
      if (e != null) {
        failure.compareAndSet(null, e);
      } else {
        acknowledged.incrementAndGet();
      }
    });
    sent++;
  }

  /** Waits for every acknowledgement; returns how many rows were published. */
  public long finish() {
    producer.flush();
    Exception f = failure.get();
    if (f != null || acknowledged.get() != sent) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot publish to " + topic + ": " + acknowledged.get() + " of " + sent
          + " rows acknowledged" + (f == null ? "" : " (" + f.getMessage() + ")"), f);
    }
    return sent;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(30));
  }
}
