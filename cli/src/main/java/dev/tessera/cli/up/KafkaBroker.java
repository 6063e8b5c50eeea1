package dev.tessera.cli.up;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) as a child JVM,
 * its data and config under {@code dir}. Formatted on first start; later starts reuse the data
 * (and the same ports, which the controller quorum records).
 */
public final class KafkaBroker implements AutoCloseable {
  private final Process process;
  private final String bootstrap;

  private KafkaBroker(Process process, String bootstrap) {
    this.process = process;
    this.bootstrap = bootstrap;
  }

  public static KafkaBroker start(Path dir, int brokerPort, int controllerPort, Duration timeout) throws Exception {
    Files.createDirectories(dir);
    Path config = dir.resolve("server.properties");
    Path data = dir.resolve("data");
    Files.writeString(config, String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.bootstrap.servers=localhost:" + controllerPort,
        "listeners=PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort,
        "advertised.listeners=PLAINTEXT://localhost:" + brokerPort,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs=" + data.toAbsolutePath(),
        "num.partitions=2",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "") + "\n");
    Path log = dir.resolve("kafka.log");
    if (!Files.exists(data.resolve("meta.properties"))) {
      Process format = new ProcessBuilder(command("kafka.tools.StorageTool", "format", "--standalone", "-t",
          org.apache.kafka.common.Uuid.randomUuid().toString(), "-c", config.toString()))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
        throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot format the Kafka storage in " + data + "; see " + log);
      }
    }
    Process p = new ProcessBuilder(command("kafka.Kafka", config.toString()))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    KafkaBroker broker = new KafkaBroker(p, "localhost:" + brokerPort);
    broker.awaitReady(timeout, log);
    return broker;
  }

  private static List<String> command(String main, String... args) {
    List<String> cmd = new ArrayList<>(setsid());
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), ChildMain.class.getName(), main));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * {@code setsid} (util-linux, on every Debian) puts a child in its own session, so Ctrl-C on the
   * terminal reaches only {@code tessera up}, which then stops the children in order; if {@code up}
   * dies, the child's watchdog sees its standard input close.
   */
  static List<String> setsid() {
    return Files.isExecutable(Path.of("/usr/bin/setsid")) ? List.of("/usr/bin/setsid") : List.of();
  }

  private void awaitReady(Duration timeout, Path log) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(p)) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new TesseraException(ErrorCode.UNAVAILABLE, "The Kafka broker exited (" + process.exitValue() + "); see " + log);
        }
        try {
          admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
          admin.listTopics().names().get(3, TimeUnit.SECONDS);
          return;
        } catch (Exception e) {
          Thread.sleep(300);
        }
      }
    }
    throw new TesseraException(ErrorCode.UNAVAILABLE, "The Kafka broker was not ready within " + timeout + "; see " + log);
  }

  public String bootstrapServers() {
    return bootstrap;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** kill -9: no clean shutdown (for fault tests). */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.destroy(); // SIGTERM: the broker's shutdown hook closes the logs cleanly
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
