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

  private final Tls tls;

  public EmbeddedKafka() throws Exception {
    this(null, Map.of());
  }

  private EmbeddedKafka(Tls tls, Map<String, String> users) throws Exception {
    this.tls = tls;
    TestKitNodes.Builder nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1);
    KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes.build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1");
    if (tls != null) {
      // the client listener (EXTERNAL, also inter-broker) is SASL_SSL with PLAIN; the broker signs in as "broker"
      StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" "
          + "password=\"broker-secret\" user_broker=\"broker-secret\"");
      users.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
      jaas.append(';');
      String l = "listener.name.external.";
      // the test kit accepts only PLAINTEXT or SASL_PLAINTEXT nodes, but keeps a protocol map given here
      builder.setConfigProp("listener.security.protocol.map", "EXTERNAL:SASL_SSL,CONTROLLER:PLAINTEXT")
          .setConfigProp("sasl.enabled.mechanisms", "PLAIN")
          .setConfigProp("sasl.mechanism.inter.broker.protocol", "PLAIN")
          .setConfigProp(l + "plain.sasl.jaas.config", jaas.toString())
          .setConfigProp(l + "ssl.keystore.location", tls.keystore().toString())
          .setConfigProp(l + "ssl.keystore.password", tls.password())
          .setConfigProp(l + "ssl.key.password", tls.password())
          .setConfigProp(l + "ssl.keystore.type", "PKCS12")
          .setConfigProp(l + "ssl.truststore.location", tls.truststore().toString())
          .setConfigProp(l + "ssl.truststore.password", tls.password())
          .setConfigProp(l + "ssl.truststore.type", "PKCS12");
    }
    cluster = builder.build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
  }

  /**
   * A broker whose client listener is SASL_SSL: TLS with a certificate made for this test (CN and
   * SAN localhost and 127.0.0.1, by {@code keytool} into {@code dir}), and SASL PLAIN with these
   * users and passwords. Clients need {@link #tls()}'s truststore. Its own helpers (producer,
   * readers, topics) are not for it: use the clients under test.
   */
  public static EmbeddedKafka saslSsl(java.nio.file.Path dir, Map<String, String> users) throws Exception {
    return new EmbeddedKafka(Tls.generate(dir), users);
  }

  /** The certificate material of a {@link #saslSsl} broker (null for a plaintext one). */
  public Tls tls() {
    return tls;
  }

  /** A PKCS12 keystore with one self-signed certificate for localhost, and a truststore holding it; one password for all. */
  public record Tls(java.nio.file.Path keystore, java.nio.file.Path truststore, String password) {
    static Tls generate(java.nio.file.Path dir) throws Exception {
      java.nio.file.Files.createDirectories(dir);
      String password = "pw-" + Long.toHexString(new java.security.SecureRandom().nextLong());
      java.nio.file.Path keystore = dir.resolve("broker.p12");
      java.nio.file.Path cert = dir.resolve("broker.pem");
      java.nio.file.Path truststore = dir.resolve("truststore.p12");
      String keytool = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
      run(keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost",
          "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", password,
          "-keypass", password);
      run(keytool, "-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", password, "-file", cert.toString());
      run(keytool, "-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(), "-keystore", truststore.toString(), "-storetype",
          "PKCS12", "-storepass", password);
      return new Tls(keystore, truststore, password);
    }

    private static void run(String... command) throws Exception {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + String.join(" ", command).replaceAll("pw-[0-9a-f]+", "***") + "\n" + out);
      }
    }
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
