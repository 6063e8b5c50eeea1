package dev.tessera.sdk;

import dev.tessera.contracts.api.Feature;
import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.schema.FeatureRowSchemas;
import dev.tessera.ingest.job.EmbeddedKafka;
import dev.tessera.online.lookup.FeatureLookup;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 * The real online service for SDK tests: an in-JVM broker whose changelog topics are seeded
 * (customer c-i has txn_count_1h = i and last_country "C" + i; merchant m-j has txn_count_24h =
 * 1000 + j), and the packaged service (online-serving/target/quarkus-app) as a child process on a
 * free port, ready before the tests start.
 */
public final class ServiceFixture implements AutoCloseable {
  public static final String FRAUD_KEY = "sdk-fraud-key";
  public static final String MARKETING_KEY = "sdk-marketing-key";
  public static final int CUSTOMERS = 500;
  public static final int MERCHANTS = 50;
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(Path.of("../contracts/examples"));

  public final EmbeddedKafka kafka;
  public final Process service;
  public final int port;
  public final long seededAt = System.currentTimeMillis();

  public ServiceFixture() throws Exception {
    kafka = new EmbeddedKafka();
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      admin.createTopics(REGISTRY.all().stream().map(c -> new NewTopic(c.changelogTopic(), 2, (short) 1)).toList()).all().get();
      // producing before every partition has a leader fails with invalid-metadata and sequence errors
      List<String> names = REGISTRY.all().stream().map(FeatureSetContract::changelogTopic).toList();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!admin.describeTopics(names).allTopicNames().get().values().stream()
          .allMatch(d -> d.partitions().stream().allMatch(x -> x.leader() != null && !x.leader().isEmpty()))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("changelog partitions without a leader after 30 s");
        }
        Thread.sleep(50);
      }
    }
    seed(REGISTRY.get("customer_activity"), "customer_id", "c-", CUSTOMERS, 0);
    seed(REGISTRY.get("merchant_risk"), "merchant_id", "m-", MERCHANTS, 1000);
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path home = Files.createTempDirectory("tessera-sdk-it");
    Path jar = Path.of("../online-serving/target/quarkus-app/quarkus-run.jar").toAbsolutePath();
    service = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Dtessera.home=" + home,
        "-Dtessera.contracts.dir=" + Path.of("../contracts/examples").toAbsolutePath(),
        "-Dtessera.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
        "-Dtessera.online.api-keys=fraud-scoring:" + FRAUD_KEY + ",marketing-propensity:" + MARKETING_KEY,
        "-Dtessera.online.lag-interval=200ms", "-Dquarkus.http.port=" + port, "-Dquarkus.log.level=WARN", "-jar", jar.toString())
        .redirectErrorStream(true).redirectOutput(home.resolve("service.log").toFile()).start();
    awaitReady(home.resolve("service.log"));
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  private void awaitReady(Path log) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!service.isAlive()) {
        throw new IllegalStateException("the online service exited: " + Files.readString(log));
      }
      try {
        if (client.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString())
            .statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the online service was not ready in 120 s: " + Files.readString(log));
  }

  /** Expected values of the seeded rows. */
  public static long txnCount(int customer) {
    return customer;
  }

  private void seed(FeatureSetContract c, String keyName, String prefix, int n, long base) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    // not idempotent: right after topic creation the first produce requests can be refused, and an
    // idempotent producer then loops on OUT_OF_ORDER_SEQUENCE_NUMBER; one request in flight keeps the order
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    org.apache.avro.Schema schema = FeatureRowSchemas.avroChangelog(c);
    GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(schema);
    List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < n; i++) {
        GenericRecord row = new GenericData.Record(schema);
        row.put(keyName, prefix + i);
        for (Feature f : c.features()) {
          row.put(f.name(), switch (f.type()) {
            case LONG -> base + i;
            case INT -> (int) (base + i);
            case DOUBLE -> i * 1.5;
            case FLOAT -> i * 1.5f;
            case BOOLEAN -> i % 2 == 0;
            case STRING -> "C" + i;
            case TIMESTAMP -> seededAt - i;
          });
        }
        row.put(FeatureSetContract.EVENT_TIME_COLUMN, seededAt - 1000);
        row.put(FeatureRowSchemas.SEQUENCE_FIELD, 1L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        writer.write(row, enc);
        enc.flush();
        acks.add(producer.send(new ProducerRecord<>(c.changelogTopic(), FeatureLookup.encodeKey(c, Map.of(keyName, prefix + i)), out.toByteArray())));
      }
      producer.flush();
      for (var a : acks) {
        a.get(); // every seeded row acknowledged, or the fixture fails here
      }
    }
  }

  @Override
  public void close() throws Exception {
    service.destroy();
    service.waitFor();
    kafka.close();
  }

  static List<Map<String, String>> entities(int n, java.util.Random r) {
    List<Map<String, String>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Map.of("customer_id", "c-" + r.nextInt(CUSTOMERS + 20), "merchant_id", "m-" + r.nextInt(MERCHANTS)));
    }
    return out;
  }
}
