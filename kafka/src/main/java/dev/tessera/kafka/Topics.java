package dev.tessera.kafka;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.rows.WriterSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Creates Tessera's topics when missing and publishes changelog schema records. */
public final class Topics {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Topics() {}

  /** Creates {@code topic} if missing (compacted for changelogs); partitions as given, replication the broker default. */
  public static void ensure(String bootstrapServers, String topic, boolean compacted, int partitions) {
    ensure(KafkaClients.plain(bootstrapServers), topic, compacted, partitions);
  }

  public static void ensure(KafkaClients kafka, String topic, boolean compacted, int partitions) {
    ensure(kafka, topic, compacted, partitions, -1);
  }

  /** Creates {@code topic} if missing with this many partitions and replicas (-1: the brokers' default); an existing topic is kept. */
  public static void ensure(KafkaClients kafka, String topic, boolean compacted, int partitions, int replicationFactor) {
    String bootstrapServers = where(kafka);
    try (Admin admin = Admin.create(adminProps(kafka))) {
      if (admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).contains(topic)) {
        return;
      }
      NewTopic t = new NewTopic(topic, partitions, (short) replicationFactor);
      if (compacted) {
        t.configs(Map.of("cleanup.policy", "compact"));
      }
      admin.createTopics(List.of(t)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw unavailable("create topic '" + topic + "' at " + bootstrapServers, e.getCause());
      }
    } catch (TimeoutException e) {
      throw unavailable("create topic '" + topic + "' at " + bootstrapServers, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("create topic '" + topic + "'", e);
    }
  }

  /** Deletes {@code topic} if it exists; returns whether it did. */
  public static boolean delete(String bootstrapServers, String topic) {
    return delete(KafkaClients.plain(bootstrapServers), topic);
  }

  public static boolean delete(KafkaClients kafka, String topic) {
    String bootstrapServers = where(kafka);
    try (Admin admin = Admin.create(adminProps(kafka))) {
      if (!admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).contains(topic)) {
        return false;
      }
      admin.deleteTopics(List.of(topic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      throw unavailable("delete topic '" + topic + "' at " + bootstrapServers, e.getCause());
    } catch (TimeoutException e) {
      throw unavailable("delete topic '" + topic + "' at " + bootstrapServers, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("delete topic '" + topic + "'", e);
    }
  }

  /**
   * Publishes the schema record of {@code schema} to every partition of the changelog {@code
   * topic} and waits for each acknowledgement; call before producing rows written with it.
   */
  public static void publishSchema(String bootstrapServers, String topic, WriterSchema schema) {
    publishSchema(KafkaClients.plain(bootstrapServers), topic, schema);
  }

  public static void publishSchema(KafkaClients kafka, String topic, WriterSchema schema) {
    Properties p = kafka.producer();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
    try (Admin admin = Admin.create(adminProps(kafka));
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
      List<Future<?>> acks = new ArrayList<>();
      d.partitions().forEach(tp -> acks.add(producer.send(ChangelogRecords.schemaRecord(topic, tp.partition(), schema))));
      for (Future<?> ack : acks) {
        ack.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (ExecutionException e) {
      throw unavailable("publish the schema of " + schema.id() + " to " + topic, e.getCause());
    } catch (TimeoutException e) {
      throw unavailable("publish the schema of " + schema.id() + " to " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("publish the schema of " + schema.id() + " to " + topic, e);
    }
  }

  private static Properties adminProps(KafkaClients kafka) {
    Properties props = kafka.admin();
    props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return props;
  }

  /** The brokers and how they are reached, for error messages (no secret). */
  private static String where(KafkaClients kafka) {
    return kafka.bootstrapServers() + (kafka.hasProperties() ? " (" + kafka.security() + ")" : "");
  }

  private static TesseraException unavailable(String what, Throwable cause) {
    return new TesseraException(ErrorCode.UNAVAILABLE, "Cannot " + what + ": " + cause.getMessage(), cause);
  }
}
