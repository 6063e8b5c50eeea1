package dev.tessera.cli.up;

import dev.tessera.contracts.model.AvroEncoding;
import dev.tessera.contracts.model.FeatureSetContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Realistic source events for the served contracts, at a steady rate: for every source topic, Avro
 * records of the contract's schema in the contract's encoding. Entity ids look like {@code c-17}
 * and {@code m-4} (the key field's first letter), skewed so some customers are busy; amounts are
 * log-normal; countries weighted; event times are now. Works for any contract's schema; the
 * examples get payments and profile changes. {@link #history} first sends past events, in
 * event-time order, so that a first start has offline rows at once.
 */
public final class EventGenerator implements AutoCloseable {
  private static final String[] COUNTRIES = {"DE", "DE", "DE", "FR", "FR", "NL", "US", "GB", "ES", "IT"};

  /** One source topic: its schema, encoding, event-time field and key fields. */
  record Source(String topic, Schema schema, AvroEncoding encoding, String eventTime, List<String> keyFields, int weight) {}

  private final List<Source> sources;
  private final KafkaProducer<byte[], byte[]> producer;
  private final double rate;
  private final int entities;
  private final SplittableRandom random = new SplittableRandom(42);
  private final AtomicLong sent = new AtomicLong();
  private final Map<String, AtomicLong> sequences = new LinkedHashMap<>();
  private volatile boolean running = true;
  private Thread thread;

  /** @param rate events per second over all topics; @param entities distinct ids per key field */
  public EventGenerator(String bootstrap, List<FeatureSetContract> contracts, double rate, int entities) {
    this(dev.tessera.kafka.KafkaClients.plain(bootstrap), contracts, rate, entities);
  }

  /** The same over the configured Kafka clients (a secured cluster). */
  public EventGenerator(dev.tessera.kafka.KafkaClients kafka, List<FeatureSetContract> contracts, double rate, int entities) {
    Map<String, Source> byTopic = new LinkedHashMap<>();
    for (FeatureSetContract c : contracts) {
      Source s = byTopic.get(c.source().topic());
      List<String> keys = new ArrayList<>(c.source().keys().values());
      if (s == null) {
        byTopic.put(c.source().topic(), new Source(c.source().topic(), c.source().schema(), c.source().encoding(),
            c.source().eventTime(), keys, 1));
      } else {
        List<String> merged = new ArrayList<>(s.keyFields());
        keys.stream().filter(k -> !merged.contains(k)).forEach(merged::add);
        byTopic.put(s.topic(), new Source(s.topic(), s.schema(), s.encoding(), s.eventTime(), merged, s.weight() + 1));
      }
    }
    this.sources = List.copyOf(byTopic.values());
    this.rate = rate;
    this.entities = entities;
    Properties p = kafka.producer();
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    this.producer = new KafkaProducer<>(p);
  }

  public List<String> topics() {
    return sources.stream().map(Source::topic).toList();
  }

  /** Starts producing in a background thread. */
  public EventGenerator start() {
    thread = new Thread(this::loop, "tessera-event-generator");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  public long sent() {
    return sent.get();
  }

  private void loop() {
    int totalWeight = sources.stream().mapToInt(Source::weight).sum();
    long period = (long) (1e9 / rate);
    long next = System.nanoTime();
    while (running) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(wait);
        continue;
      }
      next += period;
      Source s = pick(random.nextInt(totalWeight));
      GenericRecord r = event(s, System.currentTimeMillis());
      Object key = r.get(s.keyFields().get(0));
      producer.send(new ProducerRecord<>(s.topic(), key == null ? null : key.toString().getBytes(StandardCharsets.UTF_8), encode(s, r)));
      sent.incrementAndGet();
      if (System.nanoTime() - next > 1_000_000_000L) {
        next = System.nanoTime(); // fell behind by a second: do not burst to catch up
      }
    }
  }

  /**
   * History: {@code count} events with event times spread evenly over {@code span} before {@code
   * end}, sent in event-time order (so no partition ever sees one out of order) and acknowledged
   * before this returns. The same entities, weights and values as the live events.
   */
  public long history(java.time.Duration span, long end, int count) {
    int totalWeight = sources.stream().mapToInt(Source::weight).sum();
    long start = end - span.toMillis();
    double step = (double) span.toMillis() / Math.max(1, count);
    for (int i = 0; i < count; i++) {
      Source s = pick(random.nextInt(totalWeight));
      long t = start + (long) (i * step);
      GenericRecord r = eventAt(s, t);
      Object key = r.get(s.keyFields().get(0));
      producer.send(new ProducerRecord<>(s.topic(), key == null ? null : key.toString().getBytes(StandardCharsets.UTF_8), encode(s, r)));
    }
    producer.flush();
    sent.addAndGet(count);
    return count;
  }

  private Source pick(int weighted) {
    int pick = weighted;
    for (Source x : sources) {
      if (pick < x.weight()) {
        return x;
      }
      pick -= x.weight();
    }
    return sources.get(0);
  }

  /** One event of {@code s} whose event time is exactly {@code time}. */
  private GenericRecord eventAt(Source s, long time) {
    GenericRecord r = event(s, time);
    Schema.Field f = s.schema().getField(s.eventTime());
    if (f != null) {
      Schema type = f.schema().getType() == Schema.Type.UNION
          ? f.schema().getTypes().stream().filter(x -> x.getType() != Schema.Type.NULL).findFirst().orElse(f.schema()) : f.schema();
      r.put(f.name(), type.getLogicalType() instanceof LogicalTypes.TimestampMicros ? time * 1000 : time);
    }
    return r;
  }

  /** One event of {@code s} at {@code now}. */
  GenericRecord event(Source s, long now) {
    GenericRecord r = new GenericData.Record(s.schema());
    for (Schema.Field f : s.schema().getFields()) {
      r.put(f.name(), value(s, f.name(), f.schema(), now));
    }
    return r;
  }

  private Object value(Source s, String name, Schema schema, long now) {
    if (schema.getType() == Schema.Type.UNION) {
      Schema nonNull = schema.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(schema.getTypes().get(0));
      boolean nullable = schema.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL);
      return nullable && !s.keyFields().contains(name) && random.nextInt(100) < 2 ? null : value(s, name, nonNull, now);
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (s.keyFields().contains(name)) {
      // skewed: a few busy entities, a long tail
      int n = 1 + (random.nextInt(4) == 0 ? random.nextInt(Math.max(1, entities / 20)) : random.nextInt(entities));
      return lower.charAt(0) + "-" + n;
    }
    switch (schema.getType()) {
      case LONG:
        if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis || schema.getLogicalType() instanceof LogicalTypes.TimestampMicros) {
          long millis = name.equals(s.eventTime()) ? now - random.nextInt(500) : now - (long) (random.nextDouble() * 3 * 365 * 86_400_000L);
          return schema.getLogicalType() instanceof LogicalTypes.TimestampMicros ? millis * 1000 : millis;
        }
        return (long) random.nextInt(1000);
      case INT:
        return lower.contains("age") ? 18 + random.nextInt(70) : random.nextInt(1000);
      case DOUBLE:
      case FLOAT:
        double v = lower.contains("amount") || lower.contains("limit") || lower.contains("price")
            ? Math.round(Math.exp(3.2 + random.nextDouble() * 2.2 + (random.nextInt(50) == 0 ? 3 : 0)) * 100) / 100.0
            : Math.round(random.nextDouble() * 100_000) / 100.0;
        return schema.getType() == Schema.Type.FLOAT ? (Object) (float) v : (Object) v;
      case BOOLEAN:
        return random.nextInt(10) != 0;
      case ENUM:
        return new GenericData.EnumSymbol(schema, schema.getEnumSymbols().get(random.nextInt(schema.getEnumSymbols().size())));
      case STRING:
        if (lower.contains("country")) {
          return COUNTRIES[random.nextInt(COUNTRIES.length)];
        }
        if (lower.endsWith("_id")) {
          return lower.charAt(0) + "-" + sequences.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
        }
        return "v" + random.nextInt(100);
      default:
        return null;
    }
  }

  static byte[] encode(Source s, GenericRecord r) {
    try {
      if (s.encoding() == AvroEncoding.SINGLE_OBJECT) {
        ByteBuffer b = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), s.schema()).encode(r);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(128);
      if (s.encoding() == AvroEncoding.CONFLUENT) {
        out.write(0);
        out.write(new byte[] {0, 0, 0, 1}); // schema id 1
      }
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(s.schema()).write(r, enc);
      enc.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.join(5000);
    }
    producer.close(java.time.Duration.ofSeconds(5)); // a dead broker must not hold the stop
  }
}
