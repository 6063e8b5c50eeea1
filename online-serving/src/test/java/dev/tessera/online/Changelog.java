package dev.tessera.online;

import dev.tessera.contracts.api.Feature;
import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.schema.FeatureRowSchemas;
import dev.tessera.online.lookup.FeatureLookup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A test producer of changelog records in the format ingest writes (key: Avro binary of the key
 * record; value: Avro changelog row with event_time and tessera_seq), partitioned by key hash
 * like Kafka's default partitioner.
 */
public final class Changelog implements AutoCloseable {
  /** One changelog row: keys, feature values (missing features are null), event time, sequence. */
  public record Row(FeatureSetContract contract, Map<String, String> keys, Map<String, Object> values, long eventTime, long sequence) {}

  private final KafkaProducer<byte[], byte[]> producer;

  public Changelog(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
    // not idempotent: right after topic creation the first produce requests can be refused, and an
    // idempotent producer then loops on OUT_OF_ORDER_SEQUENCE_NUMBER; one request in flight keeps the order
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(p);
  }

  /** Creates the compacted changelog topics of {@code contracts}, as ingest does. */
  public static void createTopics(String bootstrap, List<FeatureSetContract> contracts, int partitions) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(p)) {
      admin.createTopics(contracts.stream().map(c -> new NewTopic(c.changelogTopic(), partitions, (short) 1)
          .configs(Map.of("cleanup.policy", "compact"))).toList()).all().get();
      // producing before every partition has a leader fails with invalid-metadata and sequence errors
      List<String> names = contracts.stream().map(FeatureSetContract::changelogTopic).toList();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!admin.describeTopics(names).allTopicNames().get().values().stream()
          .allMatch(d -> d.partitions().size() == partitions && d.partitions().stream().allMatch(x -> x.leader() != null && !x.leader().isEmpty()))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("changelog partitions without a leader after 30 s");
        }
        Thread.sleep(50);
      }
    }
  }

  public void send(Row row) {
    producer.send(new ProducerRecord<>(row.contract().changelogTopic(), FeatureLookup.encodeKey(row.contract(), row.keys()), value(row)));
  }

  /** Sends and waits for every acknowledgement: a failed send fails the test here, not later. */
  public void send(List<Row> rows) {
    List<java.util.concurrent.Future<?>> acks = new java.util.ArrayList<>();
    for (Row row : rows) {
      acks.add(producer.send(new ProducerRecord<>(row.contract().changelogTopic(), FeatureLookup.encodeKey(row.contract(), row.keys()), value(row))));
    }
    producer.flush();
    try {
      for (var a : acks) {
        a.get();
      }
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("a changelog record was not acknowledged", e);
    }
  }

  public void flush() {
    producer.flush();
  }

  static byte[] value(Row row) {
    FeatureSetContract c = row.contract();
    Schema schema = FeatureRowSchemas.avroChangelog(c);
    GenericRecord r = new GenericData.Record(schema);
    row.keys().forEach(r::put);
    for (Feature f : c.features()) {
      r.put(f.name(), row.values().get(f.name()));
    }
    r.put(FeatureSetContract.EVENT_TIME_COLUMN, row.eventTime());
    r.put(FeatureRowSchemas.SEQUENCE_FIELD, row.sequence());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    try {
      new GenericDatumWriter<GenericRecord>(schema).write(r, enc);
      enc.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    producer.close();
  }
}
