package dev.tessera.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real KRaft broker in this JVM (Kafka's own test kit) with the client helpers every test needs:
 * topics created and waited for until each partition has a leader, a checked producer, and a
 * reader of whole topics.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final KafkaClusterTestKit cluster;
  private CheckedProducer producer;

  public EmbeddedKafka() throws Exception {
    cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** Creates a topic and waits until every partition has a leader (producing earlier fails with metadata errors). */
  public void createTopic(String topic, int partitions) throws Exception {
    createTopic(topic, partitions, Map.of());
  }

  public void createTopic(String topic, int partitions, Map<String, String> configs) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all().get(30, TimeUnit.SECONDS);
      awaitLeaders(admin, List.of(topic));
    }
  }

  /** Waits until every partition of {@code topics} has a leader. */
  public static void awaitLeaders(Admin admin, List<String> topics) throws Exception {
    org.awaitility.Awaitility.await(topics + " with a leader on every partition").atMost(java.time.Duration.ofSeconds(30))
        .pollInterval(java.time.Duration.ofMillis(50))
        .until(() -> admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
            .allMatch(d -> d.partitions().stream().allMatch(x -> x.leader() != null && !x.leader().isEmpty())));
  }

  /** The shared checked producer of this broker. */
  public synchronized CheckedProducer producer() {
    if (producer == null) {
      producer = new CheckedProducer(bootstrapServers());
    }
    return producer;
  }

  /** Produces payloads to partition 0 in order, each acknowledged. */
  public void produce(String topic, List<byte[]> payloads) {
    producer().send(payloads.stream().map(p -> new ProducerRecord<byte[], byte[]>(topic, 0, null, p)).toList());
  }

  /** Every record of every partition of a topic, from the beginning to its current end (partition by partition). */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    return readAll(bootstrapServers(), topic);
  }

  /**
   * Every committed record of every partition of a topic on any broker, from the beginning to its
   * current end (partition by partition); records of aborted transactions are left out.
   */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    out.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition()) : Long.compare(a.offset(), b.offset()));
    return out;
  }

  /** The headers of a record as text. */
  public static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
    Map<String, String> out = new HashMap<>();
    r.headers().forEach(h -> out.put(h.key(), new String(h.value(), java.nio.charset.StandardCharsets.UTF_8)));
    return out;
  }

  @Override
  public void close() throws Exception {
    if (producer != null) {
      producer.close();
    }
    cluster.close();
  }

  /**
   * A producer whose every send is acknowledged before {@link #send} returns. Not idempotent:
   * right after a topic is created the first produce requests can be refused, and an idempotent
   * producer then loops on OUT_OF_ORDER_SEQUENCE_NUMBER; one request in flight keeps the order.
   */
  public static final class CheckedProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;

    public CheckedProducer(String bootstrapServers) {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
      p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends every record and waits for each acknowledgement: a failed send fails here, not later. */
    public synchronized void send(List<ProducerRecord<byte[], byte[]>> records) {
      List<Future<?>> acks = new ArrayList<>(records.size());
      records.forEach(r -> acks.add(producer.send(r)));
      producer.flush();
      try {
        for (Future<?> a : acks) {
          a.get(60, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        throw new IllegalStateException("a record was not acknowledged: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      producer.close(Duration.ofSeconds(10));
    }
  }
}
