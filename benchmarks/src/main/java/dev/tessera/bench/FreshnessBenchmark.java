package dev.tessera.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.cli.up.LocalStack;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.sdk.FeatureVector;
import dev.tessera.sdk.TesseraClient;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Freshness on the stack of `tessera up`: payments produced at a fixed rate (event time = send
 * time) through Kafka, the Flink ingest job, the changelog and the online store. Measured two ways:
 * probes (a payment for a fresh key, then polling the API every 2 ms until it is visible) and the
 * service's own per-row measure (event time to applied, the catalog's live freshness). Anchor in
 * the same run: a plain KafkaConsumer on the source topic (produced to consumed), the floor of any
 * Kafka-fed pipeline.
 */
public final class FreshnessBenchmark {
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = SnapshotBenchmark.parse(args);
    double rate = Double.parseDouble(opts.getOrDefault("rate", "200"));
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "60"));
    Path home = Path.of(opts.getOrDefault("work", "/tmp/tessera-bench-freshness"));
    SnapshotBenchmark.deleteRecursively(home);
    Files.createDirectories(home);
    Path contracts = Path.of("contracts/examples").toAbsolutePath();
    System.setProperty("tessera.root", Path.of(".").toAbsolutePath().normalize().toString());
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    LocalStack stack = LocalStack.start(new LocalStack.Options(home, null, Map.of(), contracts, port, 0, 1000, "bench", false), System.out::println);
    try (TesseraClient client = TesseraClient.builder().baseUrl(stack.baseUrl()).apiKey("bench").build()) {
      FeatureSetContract c = ContractRegistry.fromDirectory(contracts).get("customer_activity");
      System.out.printf("freshness benchmark: %.0f payments/s for %.0f s, %d cores; stack of `tessera up` (checkpoints every 10s)%n",
          rate, seconds, Runtime.getRuntime().availableProcessors());
      AtomicBoolean running = new AtomicBoolean(true);
      List<Long> kafkaLags = new ArrayList<>();
      Thread anchor = new Thread(() -> consume(stack.bootstrapServers(), running, kafkaLags));
      anchor.start();
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
      List<Long> probes = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
        SplittableRandom r = new SplittableRandom(1);
        long period = (long) (1e9 / rate);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long next = start;
        long nextProbe = start + 1_000_000_000L;
        int probe = 0;
        long sent = 0;
        while (System.nanoTime() < end) {
          if (System.nanoTime() >= nextProbe) {
            String key = "c-probe-" + probe++;
            long t = System.currentTimeMillis();
            producer.send(new ProducerRecord<>("payments.transactions", key.getBytes(), payment(c.source().schema(), key, t)));
            while (true) {
              FeatureVector v = client.get("customer_activity", Map.of("customer_id", key));
              if (v.ok()) {
                probes.add(System.currentTimeMillis() - t);
                break;
              }
              Thread.sleep(2);
            }
            nextProbe = System.nanoTime() + 500_000_000L;
          }
          long now = System.nanoTime();
          while (next <= now) {
            String key = "c-" + (1 + r.nextInt(1000));
            producer.send(new ProducerRecord<>("payments.transactions", key.getBytes(), payment(c.source().schema(), key, System.currentTimeMillis())));
            next += period;
            sent++;
          }
          Thread.sleep(1);
        }
        System.out.printf("  produced %,d payments (%,.0f/s) and %d probes%n", sent, sent / seconds, probes.size());
      }
      running.set(false);
      anchor.join();
      JsonNode live = new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
              stack.baseUrl() + "/v1/feature-sets/customer_activity")).header("X-API-Key", "bench").build(), HttpResponse.BodyHandlers.ofString())
          .body()).path("live").path("freshness");
      System.out.println("| measure | p50 ms | p99 ms | max ms | samples |");
      System.out.println("|---|---|---|---|---|");
      row("probe: produced -> visible through the API (polled every 2 ms)", probes);
      System.out.printf("| service: event time -> applied to the store (last 4,096 rows) | %s | %s | - | %s |%n",
          live.path("p50_ms").asText(), live.path("p99_ms").asText(), live.path("samples").asText());
      row("anchor: produced -> a plain KafkaConsumer on the source topic", kafkaLags);
    } finally {
      stack.close();
    }
  }

  static void row(String name, List<Long> values) {
    long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
    if (v.length == 0) {
      System.out.printf("| %s | - | - | - | 0 |%n", name);
      return;
    }
    System.out.printf("| %s | %d | %d | %d | %,d |%n", name, v[(v.length - 1) / 2], v[Math.max(0, (int) Math.ceil(0.99 * v.length) - 1)],
        v[v.length - 1], v.length);
  }

  static void consume(String bootstrap, AtomicBoolean running, List<Long> lags) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-anchor");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of("payments.transactions"));
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          lags.add(System.currentTimeMillis() - r.timestamp());
        }
      }
    }
  }

  static byte[] payment(Schema schema, String customer, long time) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("transaction_id", customer + "-" + time);
    r.put("customer_id", customer);
    r.put("merchant_id", "m-1");
    r.put("amount", 12.5);
    r.put("country", "DE");
    r.put("event_time", time);
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(schema).write(r, enc);
      enc.flush();
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
