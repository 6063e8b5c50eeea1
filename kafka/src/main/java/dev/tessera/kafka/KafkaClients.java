package dev.tessera.kafka;

import dev.tessera.config.CoreOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.parser.Problems;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * How every Kafka client of Tessera connects: the bootstrap servers, and any Kafka client property
 * from the configuration, so that a secured cluster (TLS, SASL: MSK, Confluent Cloud, a
 * self-managed one) is configuration, not code.
 *
 * <pre>
 * tessera.kafka.bootstrap-servers=b-1.msk:9096
 * tessera.kafka.security.protocol=SASL_SSL            # every client: consumers, producers, admin
 * tessera.kafka.sasl.mechanism=SCRAM-SHA-512
 * tessera.kafka.sasl.jaas.config=${file:/etc/tessera/kafka-jaas}   # a secret from a file (or ${env:NAME})
 * tessera.kafka.consumer.fetch.max.bytes=104857600     # one role only: consumer, producer or admin
 * </pre>
 *
 * Names are checked against Kafka's own client configs (a typo is an error with a did-you-mean).
 * Tessera's settings that carry its guarantees (byte serializers, no auto commit, read_committed,
 * idempotence and transactions where used) are set by the code that builds each client and win
 * over these. Values never appear in logs or errors: {@link #describe} masks every secret.
 * Serializable, so a Flink job carries it to its task managers.
 */
public final class KafkaClients implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final List<String> ROLES = List.of("consumer", "producer", "admin");
  private static final Set<String> CONSUMER = ConsumerConfig.configNames();
  private static final Set<String> PRODUCER = ProducerConfig.configNames();
  private static final Set<String> ADMIN = AdminClientConfig.configNames();

  private final String bootstrapServers;
  private final TreeMap<String, String> common;
  private final TreeMap<String, String> consumer;
  private final TreeMap<String, String> producer;
  private final TreeMap<String, String> admin;

  private KafkaClients(String bootstrapServers, Map<String, String> common, Map<String, String> consumer, Map<String, String> producer,
      Map<String, String> admin) {
    this.bootstrapServers = bootstrapServers;
    this.common = new TreeMap<>(common);
    this.consumer = new TreeMap<>(consumer);
    this.producer = new TreeMap<>(producer);
    this.admin = new TreeMap<>(admin);
  }

  /** Plain connections to {@code bootstrapServers}, no other property (a local broker, tests). */
  public static KafkaClients plain(String bootstrapServers) {
    return new KafkaClients(bootstrapServers, Map.of(), Map.of(), Map.of(), Map.of());
  }

  /**
   * The clients {@code config} describes: {@code tessera.kafka.bootstrap-servers} (null when not
   * set: no Kafka) and every {@code tessera.kafka.*} key that is not a Tessera option, its value
   * expanded ({@code ${env:...}}, {@code ${file:...}}). INVALID_ARGUMENT naming each key that is
   * not a Kafka client property of its role.
   */
  public static KafkaClients of(TesseraConfig config) {
    Set<String> own = new TreeSet<>();
    dev.tessera.config.AllOptions.ALL.forEach(o -> own.add(o.key()));
    Map<String, String> common = new TreeMap<>();
    Map<String, Map<String, String>> byRole = new TreeMap<>();
    ROLES.forEach(r -> byRole.put(r, new TreeMap<>()));
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(config.values()).entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(TesseraConfig.KAFKA_CLIENT_PREFIX) || own.contains(key)) {
        continue;
      }
      String rest = key.substring(TesseraConfig.KAFKA_CLIENT_PREFIX.length());
      String role = ROLES.stream().filter(r -> rest.startsWith(r + ".")).findFirst().orElse(null);
      String property = role == null ? rest : rest.substring(role.length() + 1);
      Set<String> known = role == null ? union() : names(role);
      if (!known.contains(property)) {
        List<String> candidates = new ArrayList<>(known.stream().map(k -> TesseraConfig.KAFKA_CLIENT_PREFIX + (role == null ? "" : role + ".") + k)
            .toList());
        candidates.addAll(own);
        problems.add("Unknown config key '" + key + "': '" + property + "' is not a Kafka " + (role == null ? "client" : role)
            + " property" + Problems.didYouMean(key, candidates));
        continue;
      }
      String value = config.expand(e.getValue());
      (role == null ? common : byRole.get(role)).put(property, value);
    }
    if (!problems.isEmpty()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, String.join("\n", problems));
    }
    if (common.containsKey(CommonNames.BOOTSTRAP)) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "Config key 'tessera.kafka.bootstrap.servers': set the brokers with 'tessera.kafka.bootstrap-servers'");
    }
    return new KafkaClients(config.find(CoreOptions.KAFKA_BOOTSTRAP_SERVERS).orElse(null), common, byRole.get("consumer"),
        byRole.get("producer"), byRole.get("admin"));
  }

  private static final class CommonNames {
    static final String BOOTSTRAP = "bootstrap.servers";
  }

  private static Set<String> union() {
    Set<String> all = new TreeSet<>(CONSUMER);
    all.addAll(PRODUCER);
    all.addAll(ADMIN);
    return all;
  }

  private static Set<String> names(String role) {
    return switch (role) {
      case "consumer" -> CONSUMER;
      case "producer" -> PRODUCER;
      default -> ADMIN;
    };
  }

  /** The same properties against other brokers (tessera up's local broker). */
  public KafkaClients withBootstrapServers(String servers) {
    return new KafkaClients(servers, common, consumer, producer, admin);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Whether any property beyond the bootstrap servers is set (security, tuning). */
  public boolean hasProperties() {
    return !common.isEmpty() || !consumer.isEmpty() || !producer.isEmpty() || !admin.isEmpty();
  }

  /** Properties of a consumer: bootstrap, the common ones, the consumer's (only names a consumer knows). */
  public Properties consumer() {
    return properties(consumer, CONSUMER);
  }

  /** Properties of a producer. */
  public Properties producer() {
    return properties(producer, PRODUCER);
  }

  /** Properties of an admin client. */
  public Properties admin() {
    return properties(admin, ADMIN);
  }

  /** The passed properties of {@code role} ({@code consumer}, {@code producer}, {@code admin}), without the bootstrap servers. */
  public Map<String, String> passed(String role) {
    Properties p = switch (role) {
      case "consumer" -> consumer();
      case "producer" -> producer();
      default -> admin();
    };
    Map<String, String> out = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    out.remove(CommonNames.BOOTSTRAP);
    return out;
  }

  private Properties properties(Map<String, String> role, Set<String> known) {
    Properties p = new Properties();
    if (bootstrapServers != null) {
      p.put(CommonNames.BOOTSTRAP, bootstrapServers);
    }
    common.forEach((k, v) -> {
      if (known.contains(k)) { // a producer-only property set for all clients is not given to consumers
        p.put(k, v);
      }
    });
    p.putAll(role);
    return p;
  }

  /** Security of the connection for messages: protocol and SASL mechanism (never a secret). */
  public String security() {
    String protocol = common.getOrDefault("security.protocol", "PLAINTEXT");
    String mechanism = common.get("sasl.mechanism");
    return "security.protocol " + protocol + (protocol.startsWith("SASL") ? ", sasl.mechanism " + (mechanism == null ? "GSSAPI" : mechanism) : "");
  }

  /**
   * Connects with an admin client and reads the cluster's nodes within {@code timeout}: a wrong
   * password, an untrusted certificate or a plaintext client at a TLS listener becomes one clear
   * error (UNAUTHENTICATED or UNAVAILABLE) naming the brokers, protocol and mechanism, at start-up,
   * instead of a client retrying forever.
   */
  public void verify(java.time.Duration timeout) {
    if (bootstrapServers == null) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "No Kafka brokers configured: set tessera.kafka.bootstrap-servers");
    }
    Properties p = admin();
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
    p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(timeout.toMillis(), 30_000)));
    String where = "Kafka at " + bootstrapServers + " (" + security() + ")";
    try (org.apache.kafka.clients.admin.Admin a = org.apache.kafka.clients.admin.Admin.create(p)) {
      a.describeCluster().nodes().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof org.apache.kafka.common.errors.AuthenticationException) {
        throw new TesseraException(ErrorCode.UNAUTHENTICATED, "Cannot authenticate to " + where + ": " + cause.getMessage(), cause);
      }
      if (cause instanceof org.apache.kafka.common.errors.TimeoutException) { // the client's own timeout, as the call's failure
        throw unreachable(where, timeout, cause);
      }
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot connect to " + where + ": " + cause, cause);
    } catch (java.util.concurrent.TimeoutException e) {
      throw unreachable(where, timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Interrupted while connecting to " + where, e);
    } catch (org.apache.kafka.common.KafkaException e) { // a bad property value (e.g. a keystore that cannot be read)
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot create a Kafka client for " + where + ": " + e.getMessage()
          + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"), e);
    }
  }

  /**
   * At start-up of a long-running reader: with a secured configuration (any property set), a
   * credential or certificate the brokers refuse ends start-up with {@link #verify}'s error; brokers
   * that are only unreachable are not fatal (clients retry) and are returned as a warning.
   * Nothing is checked for plain connections or without brokers.
   */
  public java.util.Optional<String> checkCredentials(java.time.Duration timeout) {
    if (bootstrapServers == null || !hasProperties()) {
      return java.util.Optional.empty();
    }
    try {
      verify(timeout);
      return java.util.Optional.empty();
    } catch (TesseraException e) {
      if (e.code() == ErrorCode.UNAVAILABLE) {
        return java.util.Optional.of(e.getMessage());
      }
      throw e;
    }
  }

  private static TesseraException unreachable(String where, java.time.Duration timeout, Throwable cause) {
    return new TesseraException(ErrorCode.UNAVAILABLE, "Cannot reach " + where + " within " + timeout.toSeconds()
        + " s: is the broker up, and does its listener expect this security.protocol?", cause);
  }

  /** Every property set, secrets masked: what a log line or {@code tessera config} may show. */
  public String describe() {
    Map<String, String> shown = new TreeMap<>();
    common.forEach((k, v) -> shown.put(k, mask(k, v)));
    consumer.forEach((k, v) -> shown.put("consumer." + k, mask(k, v)));
    producer.forEach((k, v) -> shown.put("producer." + k, mask(k, v)));
    admin.forEach((k, v) -> shown.put("admin." + k, mask(k, v)));
    return "bootstrap.servers=" + bootstrapServers + (shown.isEmpty() ? "" : " " + shown);
  }

  /** A value shown as {@code ***} when its key names a secret ({@link dev.tessera.config.SecretKeys}). */
  static String mask(String key, String value) {
    return dev.tessera.config.SecretKeys.masked(key, value);
  }

  @Override
  public String toString() {
    return describe();
  }
}
