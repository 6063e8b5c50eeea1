package dev.tessera.kafka;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** How Tessera's own readers consume: raw bytes, offsets kept by Tessera (never auto-committed), no topic created by reading. */
public final class Consumers {
  private Consumers() {}

  /** Byte-array keys and values, no auto commit, no auto-created topics, committed records only; add a group id where one is used. */
  public static Properties bytes(String bootstrapServers) {
    return bytes(KafkaClients.plain(bootstrapServers));
  }

  /** The same over the configured clients' properties (security, tuning); Tessera's settings here win. */
  public static Properties bytes(KafkaClients kafka) {
    Properties p = kafka.consumer();
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return p;
  }
}
