package dev.tessera.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster of private {@code redis-server} processes on local ports (Debian's package):
 * {@code masters} masters with one replica each, created with {@code redis-cli --cluster create},
 * append-only files under {@code dir}, a 3 s node timeout so that a failover takes seconds. The
 * machine's own Redis is never touched. {@link #close} kills every node.
 */
public final class RedisClusterProcesses implements AutoCloseable {
  private final Path dir;
  private final Map<Integer, Process> nodes = new LinkedHashMap<>();

  public RedisClusterProcesses(Path dir, int masters) throws Exception {
    this.dir = dir;
    try {
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      for (int i = 0; i < masters * 2; i++) {
        int port = freePortWithBus();
        start(port);
        create.add("127.0.0.1:" + port);
      }
      create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
      run(create, Duration.ofSeconds(60));
      awaitState(Duration.ofSeconds(60), this::healthy, "every node to report cluster_state:ok with " + masters + " masters");
      // a replica still in its first sync cannot take over: wait until every replica's link to its master is up
      awaitState(Duration.ofSeconds(60), () -> {
        try {
          for (int port : alivePorts()) {
            String replication = cli(port, "INFO", "replication");
            if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
              return false;
            }
          }
          return true;
        } catch (Exception e) {
          return false;
        }
      }, "every replica to finish its first sync");
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  /** {@code redis://127.0.0.1:<port>} of every node, comma separated (the seed list a client takes). */
  public String seeds() {
    return String.join(",", nodes.keySet().stream().map(p -> "redis://127.0.0.1:" + p).toList());
  }

  public List<Integer> ports() {
    return List.copyOf(nodes.keySet());
  }

  /** Ports of the live nodes that are masters now. */
  public List<Integer> masters() throws Exception {
    List<Integer> out = new ArrayList<>();
    for (int port : alivePorts()) {
      if (cli(port, "ROLE").startsWith("master")) {
        out.add(port);
      }
    }
    return out;
  }

  /** kill -9 of one node. */
  public void kill9(int port) throws Exception {
    Process p = nodes.get(port);
    new ProcessBuilder("kill", "-9", Long.toString(p.pid())).start().waitFor();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * After {@link #kill9} of a master: until the live nodes mark it failed, a replica has taken its
   * slots (as many live masters as before) and every live node reports cluster_state:ok.
   */
  public void awaitFailover(int killed, int masters, Duration timeout) throws Exception {
    awaitState(timeout, () -> {
      try {
        int live = alivePorts().get(0);
        boolean markedFailed = cli(live, "CLUSTER", "NODES").lines()
            .anyMatch(l -> l.contains("127.0.0.1:" + killed + "@") && l.contains("fail") && !l.contains("fail?"));
        return markedFailed && masters().size() == masters && healthy();
      } catch (Exception e) {
        return false;
      }
    }, () -> "a replica to take over the slots of the master on port " + killed + "; CLUSTER NODES as the live nodes see it:\n"
        + describe());
  }

  /** Each live node's view of the cluster and the tail of its log, for a failing test's message. */
  private String describe() {
    StringBuilder out = new StringBuilder();
    for (int port : alivePorts()) {
      try {
        out.append("node ").append(port).append(":\n").append(cli(port, "CLUSTER", "NODES"));
        List<String> log = Files.readAllLines(dir.resolve("node-" + port).resolve("redis.log"));
        out.append(String.join("\n", log.subList(Math.max(0, log.size() - 15), log.size()))).append('\n');
      } catch (Exception e) {
        out.append("(").append(e).append(")\n");
      }
    }
    return out.toString();
  }

  /** {@code redis-cli -p <port> <args>}, its output. */
  public String cli(int port, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
    cmd.addAll(List.of(args));
    return run(cmd, Duration.ofSeconds(10));
  }

  private List<Integer> alivePorts() {
    return nodes.entrySet().stream().filter(e -> e.getValue().isAlive()).map(Map.Entry::getKey).toList();
  }

  private boolean healthy() {
    try {
      for (int port : alivePorts()) {
        if (!cli(port, "CLUSTER", "INFO").contains("cluster_state:ok")) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private void start(int port) throws Exception {
    Path home = Files.createDirectories(dir.resolve("node-" + port));
    Process p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", home.toString(),
        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "3000",
        // a replica may take over however long ago it last heard from its master (a loaded CI machine)
        "--cluster-replica-validity-factor", "0",
        "--appendonly", "yes", "--appendfsync", "everysec", "--save", "")
        .redirectErrorStream(true).redirectOutput(home.resolve("redis.log").toFile()).start();
    nodes.put(port, p);
    awaitState(Duration.ofSeconds(20), () -> {
      try {
        return cli(port, "PING").trim().equals("PONG");
      } catch (Exception e) {
        return false;
      }
    }, "redis-server on port " + port);
  }

  /** A free port whose cluster bus port (+10000) is free too. */
  private static int freePortWithBus() throws IOException {
    for (int i = 0; i < 100; i++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      if (port + 10_000 > 65_535) {
        continue;
      }
      try (ServerSocket bus = new ServerSocket(port + 10_000)) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port pair (port, port + 10000) found");
  }

  private static void awaitState(Duration timeout, java.util.function.BooleanSupplier check, String what) throws InterruptedException {
    awaitState(timeout, check, () -> what);
  }

  private static void awaitState(Duration timeout, java.util.function.BooleanSupplier check, java.util.function.Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Timed out after " + timeout + " waiting for " + what.get());
      }
      Thread.sleep(200);
    }
  }

  private static String run(List<String> cmd, Duration timeout) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }
    return out;
  }

  @Override
  public void close() {
    nodes.values().forEach(Process::destroyForcibly);
    for (Process p : nodes.values()) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
