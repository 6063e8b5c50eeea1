package dev.tessera.bench;

import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.ingest.job.IngestJob;
import dev.tessera.ingest.job.IngestEnvironment;
import dev.tessera.ingest.job.IngestSettings;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.FeatureTables;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Ingest throughput: N customer_activity events over K keys through the whole job (Kafka ->
 * decode -> windows -> changelog and Iceberg) on a MiniCluster, and in the same run the rate of a
 * plain Kafka consumer reading the same topic (the ceiling).
 */
public final class IngestBenchmark {
  static final long T0 = 1_767_225_600_000L;

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = SnapshotBenchmark.parse(args);
    int events = Integer.parseInt(opts.getOrDefault("events", "1000000"));
    int keys = Integer.parseInt(opts.getOrDefault("keys", "100000"));
    int partitions = Integer.parseInt(opts.getOrDefault("partitions", "2"));
    int parallelism = Integer.parseInt(opts.getOrDefault("parallelism", "2"));
    Path work = Path.of(opts.getOrDefault("work", "/tmp/tessera-bench-ingest"));
    SnapshotBenchmark.deleteRecursively(work);
    Files.createDirectories(work);
    FeatureSetContract c = ContractRegistry.fromDirectory(Path.of(opts.getOrDefault("contracts", "contracts/examples"))).get("customer_activity");
    System.out.printf("ingest benchmark: %,d events, %,d keys, %d partitions, parallelism %d, events archive %s, %d cores%n",
        events, keys, partitions, parallelism, opts.getOrDefault("archive", "true"), Runtime.getRuntime().availableProcessors());

    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      String topic = c.source().topic();
      kafka.createTopic(topic, partitions);
      long t = System.nanoTime();
      produce(kafka.bootstrapServers(), topic, c.source().schema(), events, keys, partitions);
      System.out.printf("  produced in %.1fs%n", SnapshotBenchmark.secs(t));

      t = System.nanoTime();
      long read = consumeAll(kafka.bootstrapServers(), topic, partitions);
      double consumerSecs = SnapshotBenchmark.secs(t);
      System.out.printf("  plain KafkaConsumer (anchor): %,d records in %.2fs = %,.0f records/s%n", read, consumerSecs, read / consumerSecs);

      TesseraConfig config = TesseraConfig.defaults(work.resolve("home"),
          Map.of("tessera.ingest.parallelism", Integer.toString(parallelism), "tessera.ingest.state-backend", opts.getOrDefault("state-backend", "hashmap"),
              // on by default, as in the product; --archive false measures the feature pipeline alone
              "tessera.ingest.archive", opts.getOrDefault("archive", "true")));
      // the environment `tessera ingest` uses (filesystem checkpoints), failing fast instead of restarting
      StreamExecutionEnvironment env = IngestEnvironment.environment(config, null);
      env.configure(org.apache.flink.configuration.Configuration.fromMap(Map.of("restart-strategy.type", "none")));
      IngestJob.define(env, c, new IngestSettings(kafka.bootstrapServers(), "bench", OffsetsInitializer.earliest(), true, Set.of(),
          Duration.ofSeconds(5), config));
      var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      long[] gc0 = SnapshotBenchmark.gcCountAndMillis();
      long cpu0 = os.getProcessCpuTime();
      t = System.nanoTime();
      env.execute("ingest benchmark");
      double jobSecs = SnapshotBenchmark.secs(t);
      double cpuSecs = (os.getProcessCpuTime() - cpu0) / 1e9;
      long[] gc1 = SnapshotBenchmark.gcCountAndMillis();
      Table table = new FeatureTables(Catalogs.open(config), config.get(OfflineOptions.NAMESPACE)).load(c);
      String rows = table.currentSnapshot().summary().getOrDefault("total-records", "?");
      System.out.printf("  tessera ingest job (MiniCluster, incl. start-up and the final flush of all windows): %,d events in %.2fs = %,.0f events/s; %s Iceberg rows%n",
          events, jobSecs, events / jobSecs, rows);
      System.out.printf("  job / plain consumer rate: %.1f%%%n", 100.0 * (events / jobSecs) / (read / consumerSecs));
      System.out.printf("  changelog records (fresh and final rows, and the schema records): %,d%n", endOffsets(kafka.bootstrapServers(), c.changelogTopic()));
      // CPU of the whole process during the job (the job, the in-process broker, GC, JIT): less
      // sensitive to a noisy machine than the wall time, and what a bigger machine would spread
      System.out.printf("  process CPU during the job: %.1f core-seconds (%.0f%% of %d cores); GC %d collections, %.2fs of pauses%n",
          cpuSecs, 100 * cpuSecs / jobSecs / Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors(),
          gc1[0] - gc0[0], (gc1[1] - gc0[1]) / 1000.0);
    }
  }

  static void produce(String bootstrap, String topic, Schema schema, int n, int keys, int partitions) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    SplittableRandom r = new SplittableRandom(5);
    GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(schema);
    BinaryEncoder enc = null;
    String[] countries = {"DE", "FR", "NL", "US"};
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < n; i++) {
        GenericRecord rec = new GenericData.Record(schema);
        rec.put("transaction_id", "t-" + i);
        rec.put("customer_id", "c-" + r.nextInt(keys));
        rec.put("merchant_id", "m-" + r.nextInt(1000));
        rec.put("amount", Math.round(r.nextDouble() * 50_000) / 100.0);
        rec.put("country", countries[r.nextInt(4)]);
        rec.put("event_time", T0 + i * 10L);
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        enc = EncoderFactory.get().binaryEncoder(out, enc);
        writer.write(rec, enc);
        enc.flush();
        producer.send(new ProducerRecord<>(topic, i % partitions, null, out.toByteArray()));
      }
    }
  }

  /** Records in a topic: the sum of its partitions' end offsets. */
  static long endOffsets(String bootstrap, String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(bootstrap))) {
      List<TopicPartition> tps = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      return consumer.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static Properties consumerProperties(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  static long consumeAll(String bootstrap, String topic, int partitions) {
    Properties p = consumerProperties(bootstrap);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    long n = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> tps = java.util.stream.IntStream.range(0, partitions).mapToObj(i -> new TopicPartition(topic, i)).toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      long end = consumer.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
      while (n < end) {
        n += consumer.poll(Duration.ofMillis(200)).count();
      }
    }
    return n;
  }
}
