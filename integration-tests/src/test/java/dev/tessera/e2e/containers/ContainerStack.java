package dev.tessera.e2e.containers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ContainerNetwork;
import dev.tessera.config.TesseraConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * Tessera's pieces in containers from the project's own images (containers/engine builds them): a
 * 3-node KRaft Kafka cluster, an S3 server (s3proxy) and online-serving, on one network this test
 * creates with a subnet of its own (172.29.128.0/17, docs/containers.md), each container at a fixed
 * address so that a container cut off the network and connected again keeps the address it
 * advertises. The test JVM reaches the containers at those addresses (the host is the network's
 * gateway) and nothing else: no port is published. Everything is removed on close, also when a
 * test fails.
 */
final class ContainerStack implements AutoCloseable {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path CONTRACTS = ROOT.resolve("contracts/examples");
  static final String API_KEY = "container-key";
  static final String S3_ACCESS_KEY = "tessera";
  static final String S3_SECRET_KEY = "tessera-secret";

  static {
    // this JVM reads the S3 container as the CLI does (its Main sets the same): s3proxy implements no
    // flexible checksums, which the AWS SDK sends by default since 2.30
    System.setProperty("aws.requestChecksumCalculation", "when_required");
    System.setProperty("aws.responseChecksumValidation", "when_required");
  }

  private final DockerClient docker = DockerClientFactory.instance().client();
  private final String prefix; // e.g. 172.29.151.
  private final Network network;
  private final List<GenericContainer<?>> brokers = new ArrayList<>();
  private final GenericContainer<?> s3;
  private GenericContainer<?> online;
  private final List<GenericContainer<?>> all = new ArrayList<>();

  ContainerStack() {
    int third = 128 + new SecureRandom().nextInt(127);
    prefix = "172.29." + third + ".";
    String name = "tessera-it-" + Long.toHexString(System.nanoTime());
    network = Network.builder().createNetworkCmdModifier(cmd -> cmd.withName(name)
        .withIpam(new com.github.dockerjava.api.model.Network.Ipam()
            .withConfig(new com.github.dockerjava.api.model.Network.Ipam.Config().withSubnet(prefix + "0/24").withGateway(prefix + "1")))).build();
    String voters = "1@" + ip(11) + ":9093,2@" + ip(12) + ":9093,3@" + ip(13) + ":9093";
    for (int id = 1; id <= 3; id++) {
      GenericContainer<?> broker = container("tessera/kafka:local", 10 + id, "kafka-" + id)
          .withEnv("KAFKA_NODE_ID", Integer.toString(id))
          .withEnv("KAFKA_VOTERS", voters)
          .withEnv("KAFKA_HEAP", "384m");
      brokers.add(broker);
    }
    s3 = container("tessera/s3:local", 20, "s3")
        .withEnv("S3_ACCESS_KEY", S3_ACCESS_KEY).withEnv("S3_SECRET_KEY", S3_SECRET_KEY).withEnv("S3_BUCKETS", "lake");
  }

  /** Starts the brokers (together: each waits for the quorum) and S3, and waits until both answer. */
  void start() throws Exception {
    try {
      Startables.deepStart(new ArrayList<GenericContainer<?>>(brokers) {{ add(s3); }}).join();
      awaitBrokers(3, Duration.ofSeconds(120));
      awaitHttp("http://" + ip(20) + ":9000/", Duration.ofSeconds(60));
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  String ip(int host) {
    return prefix + host;
  }

  String bootstrap() {
    return ip(11) + ":9092," + ip(12) + ":9092," + ip(13) + ":9092";
  }

  String s3Endpoint() {
    return "http://" + ip(20) + ":9000";
  }

  String onlineUrl() {
    return "http://" + ip(30) + ":8080";
  }

  /** The configuration of a Tessera process on the host that works against these containers. */
  Map<String, String> config(Path home) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("tessera.kafka.bootstrap-servers", bootstrap());
    c.put("tessera.contracts.dir", CONTRACTS.toString());
    c.put("tessera.offline.catalog.uri", "jdbc:sqlite:" + home.resolve("catalog.db"));
    c.put("tessera.offline.warehouse", "s3://lake/warehouse");
    c.put("tessera.offline.s3.endpoint", s3Endpoint());
    c.put("tessera.offline.s3.access-key-id", S3_ACCESS_KEY);
    c.put("tessera.offline.s3.secret-access-key", S3_SECRET_KEY);
    c.put("tessera.ingest.replication-factor", "3");
    c.put("tessera.ingest.dlq-partitions", "2");
    c.put("tessera.ingest.changelog-partitions", "2");
    return c;
  }

  /** Starts online-serving from its image on a new volume (its RocksDB store), at .30, and waits until it is ready. */
  GenericContainer<?> startOnline(Duration timeout) throws Exception {
    GenericContainer<?> c = container("tessera/online-serving:local", 30, "online")
        .withFileSystemBind(CONTRACTS.toString(), "/etc/tessera/contracts", BindMode.READ_ONLY)
        .withEnv(TesseraConfig.envName("tessera.kafka.bootstrap-servers"), bootstrap())
        .withEnv(TesseraConfig.envName("tessera.contracts.dir"), "/etc/tessera/contracts")
        .withEnv(TesseraConfig.envName("tessera.online.api-keys"), "*:" + API_KEY)
        .withEnv("JAVA_OPTS", "-Xmx384m");
    online = c;
    c.start();
    awaitReady(timeout);
    return c;
  }

  /**
   * Starts a model service from its image at .40: the model config {@code config} in {@code models}
   * (mounted), features from online-serving's container, the prediction log to the brokers; its URL
   * once it answers.
   */
  String startModel(Path models, String config, Duration timeout) throws Exception {
    GenericContainer<?> c = container("tessera/model-serving:local", 40, "model")
        .withFileSystemBind(models.toString(), "/etc/tessera/model", BindMode.READ_ONLY)
        .withFileSystemBind(CONTRACTS.toString(), "/etc/tessera/contracts", BindMode.READ_ONLY)
        .withEnv("TESSERA_MODEL_CONFIG", "/etc/tessera/model/" + config)
        .withEnv(TesseraConfig.envName("tessera.kafka.bootstrap-servers"), bootstrap())
        .withEnv(TesseraConfig.envName("tessera.contracts.dir"), "/etc/tessera/contracts")
        .withEnv(TesseraConfig.envName("tessera.model.online-url"), onlineUrl())
        .withEnv(TesseraConfig.envName("tessera.model.online-api-key"), API_KEY)
        .withEnv(TesseraConfig.envName("tessera.model.api-keys"), "*:" + API_KEY)
        .withEnv("JAVA_OPTS", "-Xmx384m");
    c.start();
    String url = "http://" + ip(40) + ":8090";
    long deadline = System.nanoTime() + timeout.toNanos();
    while (status(url + "/q/health/ready", Duration.ofSeconds(2)) != 200) {
      if (System.nanoTime() > deadline || !c.isRunning()) {
        throw new AssertionError("the model service was not ready within " + timeout + "; its log ends:\n" + tail(c.getLogs(), 60));
      }
      Thread.sleep(250);
    }
    return url;
  }

  GenericContainer<?> online() {
    return online;
  }

  GenericContainer<?> broker(int id) {
    return brokers.get(id - 1);
  }

  GenericContainer<?> s3() {
    return s3;
  }

  /** Cuts a container off this network (docker network disconnect): it keeps running with no peer to reach. */
  void disconnect(GenericContainer<?> c) {
    docker.disconnectFromNetworkCmd().withNetworkId(network.getId()).withContainerId(c.getContainerId()).withForce(true).exec();
  }

  /** Connects it again at its fixed address. */
  void reconnect(GenericContainer<?> c, int host, String alias) {
    docker.connectToNetworkCmd().withNetworkId(network.getId()).withContainerId(c.getContainerId())
        .withContainerNetwork(new ContainerNetwork().withIpamConfig(new ContainerNetwork.Ipam().withIpv4Address(ip(host))).withAliases(alias)).exec();
  }

  /** A signal to the container's main process (docker kill --signal): STOP, CONT, KILL. */
  void signal(GenericContainer<?> c, String signal) {
    docker.killContainerCmd(c.getContainerId()).withSignal(signal).exec();
  }

  /** Starts a stopped (killed) container again, same volumes and address. */
  void startAgain(GenericContainer<?> c) {
    docker.startContainerCmd(c.getContainerId()).exec();
  }

  /** Kills (SIGKILL) and removes a container with its volumes. */
  void remove(GenericContainer<?> c) {
    try {
      docker.killContainerCmd(c.getContainerId()).exec();
    } catch (RuntimeException e) {
      // not running
    }
    c.stop(); // removes the container and its anonymous volumes
  }

  /** Until the cluster has {@code n} brokers registered. */
  void awaitBrokers(int n, Duration timeout) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    try (Admin admin = Admin.create(p)) {
      while (System.nanoTime() < deadline) {
        try {
          int nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
          if (nodes >= n) {
            return;
          }
          last = nodes + " brokers";
        } catch (Exception e) {
          last = e.toString();
        }
        Thread.sleep(500);
      }
    }
    throw new AssertionError("the Kafka cluster did not have " + n + " brokers within " + timeout + " (" + last + "); logs:\n" + logs());
  }

  /** Until online-serving's readiness answers 200 (caught up with the changelog). */
  void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (readiness(Duration.ofSeconds(2)) == 200) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("online-serving was not ready within " + timeout + "; its log ends:\n" + tail(online.getLogs(), 60));
  }

  /** The status of GET /q/health/ready, or -1 when no answer came within {@code timeout}. */
  int readiness(Duration timeout) {
    return status(onlineUrl() + "/q/health/ready", timeout);
  }

  static int status(String url, Duration timeout) {
    try {
      return HttpClient.newBuilder().connectTimeout(timeout).build()
          .send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static void awaitHttp(String url, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (status(url, Duration.ofSeconds(2)) < 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(url + " did not answer within " + timeout);
      }
      Thread.sleep(250);
    }
  }

  /** The last lines of every container's log, for a failure message. */
  String logs() {
    StringBuilder b = new StringBuilder();
    for (GenericContainer<?> c : all) {
      if (c.getContainerId() != null) {
        try {
          b.append("--- ").append(c.getNetworkAliases()).append(":\n").append(tail(c.getLogs(), 20)).append('\n');
        } catch (RuntimeException e) {
          b.append("--- ").append(c.getNetworkAliases()).append(": ").append(e.getMessage()).append('\n');
        }
      }
    }
    return b.toString();
  }

  static String tail(String log, int lines) {
    String[] l = log.split("\n");
    return String.join("\n", java.util.Arrays.asList(l).subList(Math.max(0, l.length - lines), l.length));
  }

  /** Writes {@code config} as {@code home/tessera.properties}, where the CLI reads it. */
  static void writeConfig(Path home, Map<String, String> config) throws IOException {
    StringBuilder b = new StringBuilder();
    config.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    Files.writeString(home.resolve("tessera.properties"), b);
  }

  private GenericContainer<?> container(String image, int host, String alias) {
    GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image))
        .withNetwork(network)
        .withNetworkAliases(alias)
        .withCreateContainerCmdModifier(cmd -> cmd.withIpv4Address(ip(host)).withName(network.getId().substring(0, 8) + "-" + alias + "-" + System.nanoTime() % 100_000));
    all.add(c);
    return c;
  }

  @Override
  public void close() {
    for (GenericContainer<?> c : all) {
      try {
        if (c.getContainerId() != null) {
          c.stop();
        }
      } catch (RuntimeException e) {
        System.err.println("removing a container: " + e);
      }
    }
    try {
      network.close();
    } catch (RuntimeException e) {
      System.err.println("removing the network: " + e);
    }
  }
}
