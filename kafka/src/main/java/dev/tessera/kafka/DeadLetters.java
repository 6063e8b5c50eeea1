package dev.tessera.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Reads a dead-letter topic ({@code <source topic>.tessera-dlq}) as the ingest job writes it: the
 * original bytes, with headers naming the contract and version that rejected the event, the
 * reason and detail, and where the event came from. Reads up to the end offsets as of the call,
 * without a consumer group (nothing is committed); an event rejected again after a restart of the
 * job (the DLQ sink is at-least-once) is returned once.
 */
public final class DeadLetters {
  /**
   * The header {@code tessera dlq replay} puts on an event it writes back into its source topic:
   * where the original, rejected event is in that topic, {@code <partition>/<offset>}. The ingest
   * job counts such a copy once, and a copy rejected again carries it into the DLQ.
   */
  public static final String REPLAY_OF = "tessera.replay.of";

  /**
   * The other header of a replayed event: the contract major it is replayed for ({@code
   * <name>@<major>}); the jobs of other contracts reading the same topic, which accepted the
   * original, drop the copy.
   */
  public static final String REPLAY_FOR = "tessera.replay.for";

  /** One rejected event. {@code timestamp}: when it was rejected (the DLQ record's time). */
  public record DeadLetter(int partition, long offset, long timestamp, String contract, String version, String reason, String detail,
      String sourceTopic, int sourcePartition, long sourceOffset, byte[] payload, String replayOf) {
    /** Where it is in the DLQ topic: {@code <partition>/<offset>}, the key of its replay marker. */
    public String position() {
      return partition + "/" + offset;
    }
  }

  /** The compacted topic of a DLQ's replay markers, one per DLQ position (key), the latest outcome (value). */
  public static String markersTopic(String dlqTopic) {
    return dlqTopic + ".replayed";
  }

  private DeadLetters() {}

  /** Every dead letter of {@code topic} rejected at or after {@code sinceMillis} that {@code filter} accepts, in offset order per partition. */
  public static List<DeadLetter> read(String bootstrapServers, String topic, long sinceMillis, Predicate<DeadLetter> filter) {
    return read(KafkaClients.plain(bootstrapServers), topic, sinceMillis, filter);
  }

  public static List<DeadLetter> read(KafkaClients kafka, String topic, long sinceMillis, Predicate<DeadLetter> filter) {
    List<DeadLetter> out = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Consumers.bytes(kafka))) {
      var infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
      if (infos == null || infos.isEmpty()) {
        return out; // no DLQ topic yet: nothing was ever rejected
      }
      List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> since = new HashMap<>();
      partitions.forEach(tp -> since.put(tp, sinceMillis));
      Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(since);
      for (TopicPartition tp : partitions) {
        OffsetAndTimestamp o = start.get(tp);
        consumer.seek(tp, o == null ? end.get(tp) : o.offset());
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Cannot read " + topic + " to its end within 2 minutes");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
            continue;
          }
          DeadLetter d = of(r);
          // the job's DLQ sink is at-least-once: after a restart an event can be rejected twice
          boolean again = d.sourceOffset() >= 0 && !seen.add(d.contract() + "|" + d.sourceTopic() + "|" + d.sourcePartition() + "|" + d.sourceOffset());
          if (!again && filter.test(d)) {
            out.add(d);
          }
        }
      }
    }
    return out;
  }

  /**
   * The replay markers of a DLQ ({@link #markersTopic}): the latest value per DLQ position, read
   * up to the end offsets as of the call (committed records only: markers are written in the
   * transaction that writes the replayed events). Empty when nothing was ever replayed.
   */
  public static Map<String, String> markers(String bootstrapServers, String dlqTopic) {
    return markers(KafkaClients.plain(bootstrapServers), dlqTopic);
  }

  public static Map<String, String> markers(KafkaClients kafka, String dlqTopic) {
    String topic = markersTopic(dlqTopic);
    Map<String, String> out = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Consumers.bytes(kafka))) {
      var infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
      if (infos == null || infos.isEmpty()) {
        return out;
      }
      List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Cannot read " + topic + " to its end within 2 minutes");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() != null) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
              out.remove(key);
            } else {
              out.put(key, new String(r.value(), StandardCharsets.UTF_8));
            }
          }
        }
      }
    }
    return out;
  }

  /** A detail that names a PII field may quote its value: then only which rule, not the value. */
  public static String maskedDetail(String detail, java.util.Set<String> pii) {
    for (String f : pii) {
      if (detail.contains("'" + f + "'")) {
        return "(masked: the detail is about PII field '" + f + "')";
      }
    }
    return detail;
  }

  /** What the first bytes say about how a payload was framed. */
  public static String framing(byte[] p) {
    if (p == null || p.length == 0) {
      return "empty payload";
    }
    if (p.length >= 10 && (p[0] & 0xff) == 0xC3 && p[1] == 0x01) {
      return "Avro single-object, schema fingerprint "
          + Long.toHexString(java.nio.ByteBuffer.wrap(p, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
    }
    if (p.length >= 5 && p[0] == 0) {
      return "Confluent wire format, schema id " + java.nio.ByteBuffer.wrap(p, 1, 4).getInt();
    }
    if (p[0] == '{' || p[0] == '[') {
      return "looks like JSON text, not Avro";
    }
    return "none recognised (plain Avro binary, or other bytes)";
  }

  /** A DLQ record with its headers read. */
  public static DeadLetter of(ConsumerRecord<byte[], byte[]> r) {
    return new DeadLetter(r.partition(), r.offset(), r.timestamp(), header(r, "tessera.contract"), header(r, "tessera.version"),
        header(r, "tessera.reason"), header(r, "tessera.detail"), header(r, "tessera.source.topic"),
        parseInt(header(r, "tessera.source.partition")), parseLong(header(r, "tessera.source.offset")), r.value(), header(r, REPLAY_OF));
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static int parseInt(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
