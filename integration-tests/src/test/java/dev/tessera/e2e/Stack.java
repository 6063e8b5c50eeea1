package dev.tessera.e2e;

import dev.tessera.cli.up.LocalStack;
import dev.tessera.contracts.registry.ContractRegistry;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The local stack of `tessera up` for end-to-end tests (no generator: tests produce their own events), and helpers. */
public final class Stack {
  static final Path CONTRACTS = Path.of("../contracts/examples").toAbsolutePath().normalize();
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(CONTRACTS);
  static final String PAYMENTS = "payments.transactions";
  static final String API_KEY = "e2e-key";

  static {
    System.setProperty("tessera.root", Path.of("..").toAbsolutePath().normalize().toString());
  }

  private Stack() {}

  static LocalStack start(Path home, int port, Map<String, String> overrides) throws Exception {
    Map<String, String> o = new HashMap<>(overrides);
    o.putIfAbsent("tessera.ingest.checkpoint-interval", "2s");
    o.putIfAbsent("tessera.ingest.idle-timeout", "2s");
    return LocalStack.start(new LocalStack.Options(home, null, o, CONTRACTS, port, 0, 100, API_KEY, false), line -> System.out.println("[stack] " + line));
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A payment of the example schema, plain Avro binary. */
  record Payment(String id, String customer, String merchant, Double amount, String country, long eventTime) {}

  static byte[] encode(Payment p) throws Exception {
    Schema schema = REGISTRY.get("customer_activity").source().schema();
    GenericRecord r = new GenericData.Record(schema);
    r.put("transaction_id", p.id());
    r.put("customer_id", p.customer());
    r.put("merchant_id", p.merchant());
    r.put("amount", p.amount());
    r.put("country", p.country());
    r.put("event_time", p.eventTime());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(r, enc);
    enc.flush();
    return out.toByteArray();
  }

  static void produce(String bootstrap, List<Payment> payments) throws Exception {
    List<byte[]> raw = new ArrayList<>();
    for (Payment p : payments) {
      raw.add(encode(p));
    }
    produceRaw(bootstrap, PAYMENTS, raw);
  }

  static void produceRaw(String bootstrap, String topic, List<byte[]> payloads) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (byte[] b : payloads) {
        producer.send(new ProducerRecord<>(topic, 0, null, b)); // one partition: the test controls the order
      }
      producer.flush();
    }
  }

  /** Every record of a topic now, with its headers as strings. */
  public static List<Map<String, String>> readHeaders(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<Map<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(10)).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          Map<String, String> h = new HashMap<>();
          r.headers().forEach(x -> h.put(x.key(), new String(x.value(), StandardCharsets.UTF_8)));
          out.add(h);
        }
      }
    }
    return out;
  }
}
