package dev.tessera.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A standalone Flink session cluster as a user runs one: a JobManager ({@code
 * StandaloneSessionClusterEntrypoint}) and a TaskManager ({@code TaskManagerRunner}) in two JVMs
 * of their own, started from the class path that {@code flink-dist-local} writes (Maven Central's
 * Flink jars; {@code flink-dist} is not served). Neither has Tessera, Kafka or Iceberg on its class
 * path: jobs ship them. Bound to 127.0.0.1 on free ports; talked to over the REST API only.
 */
public final class FlinkSessionCluster implements AutoCloseable {
  /** The JVM flags Flink's own {@code config.yaml} passes on Java 17 ({@code env.java.default-opts.all}). */
  private static final List<String> OPENS = List.of("--add-exports=java.base/sun.net.util=ALL-UNNAMED",
      "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED", "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
      "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final int restPort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Process jobManager;
  private Process taskManager;

  /**
   * Starts the cluster: {@code slots} task slots on one TaskManager; returns when the REST API
   * reports the TaskManager registered.
   *
   * @param classpathFile {@code flink-dist-local/target/flink-dist.classpath}
   */
  public FlinkSessionCluster(Path dir, Path classpathFile, int slots) throws Exception {
    this.dir = Files.createDirectories(dir);
    if (!Files.isRegularFile(classpathFile)) {
      throw new IllegalStateException("No Flink class path at " + classpathFile + ": build the flink-dist-local module first");
    }
    String classpath = Files.readString(classpathFile).trim();
    this.restPort = freePort();
    int rpcPort = freePort();
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.writeString(conf.resolve("config.yaml"), String.join("\n",
        "jobmanager.rpc.address: localhost",
        "jobmanager.rpc.port: " + rpcPort,
        "jobmanager.bind-host: 127.0.0.1",
        "rest.address: localhost",
        "rest.bind-address: 127.0.0.1",
        "rest.port: " + restPort,
        "taskmanager.host: localhost",
        "taskmanager.bind-host: 127.0.0.1",
        "taskmanager.numberOfTaskSlots: " + slots,
        // what bin/taskmanager.sh would derive from taskmanager.memory.process.size, set outright
        "taskmanager.cpu.cores: " + slots,
        "taskmanager.memory.framework.heap.size: 128m",
        "taskmanager.memory.task.heap.size: 512m",
        "taskmanager.memory.framework.off-heap.size: 128m",
        "taskmanager.memory.task.off-heap.size: 0m",
        "taskmanager.memory.managed.size: 128m",
        "taskmanager.memory.network.min: 64m",
        "taskmanager.memory.network.max: 64m",
        "taskmanager.memory.jvm-metaspace.size: 384m",
        "taskmanager.memory.jvm-overhead.min: 128m",
        "taskmanager.memory.jvm-overhead.max: 128m",
        "parallelism.default: 1",
        "web.tmpdir: " + dir.resolve("web-tmp"),
        "io.tmp.dirs: " + Files.createDirectories(dir.resolve("tmp")),
        "") + "\n");
    try {
      jobManager = start("jobmanager", classpath, conf, "-Xmx512m", "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
      taskManager = start("taskmanager", classpath, conf, "-Xmx640m", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (true) {
        try {
          JsonNode overview = get("/overview");
          if (overview.path("taskmanagers").asInt() >= 1 && overview.path("slots-total").asInt() >= slots) {
            break;
          }
        } catch (IOException notYet) {
          // the REST endpoint is not up yet
        }
        if (!jobManager.isAlive() || !taskManager.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("The Flink session cluster did not start (JobManager alive " + jobManager.isAlive()
              + ", TaskManager alive " + taskManager.isAlive() + "); logs in " + dir + ":\n" + tail(dir.resolve("jobmanager.log"))
              + "\n" + tail(dir.resolve("taskmanager.log")));
        }
        Thread.sleep(250);
      }
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  /** {@code localhost:<port>} of the REST endpoint: what {@code tessera.flink.rest} takes. */
  public String rest() {
    return "localhost:" + restPort;
  }

  public JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + path)).timeout(Duration.ofSeconds(10)).GET().build());
  }

  public JsonNode post(String path, String json) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IOException(request.method() + " " + request.uri() + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** The state of job {@code id} (RUNNING, FINISHED, ...). */
  public String jobState(String id) throws IOException, InterruptedException {
    return get("/jobs/" + id).path("state").asText();
  }

  /** Ids of the jobs in {@code state}. */
  public List<String> jobs(String state) throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    for (JsonNode j : get("/jobs/overview").path("jobs")) {
      if (j.path("state").asText().equals(state)) {
        out.add(j.path("jid").asText());
      }
    }
    return out;
  }

  /** Waits until job {@code id} is in {@code state}. */
  public void awaitJobState(String id, String state, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String now = null;
    while (System.nanoTime() < deadline) {
      now = jobState(id);
      if (now.equals(state)) {
        return;
      }
      if (List.of("FAILED", "CANCELED").contains(now)) {
        throw new AssertionError("job " + id + " is " + now + ": " + get("/jobs/" + id + "/exceptions"));
      }
      Thread.sleep(250);
    }
    throw new AssertionError("job " + id + " is " + now + " after " + timeout + ", not " + state);
  }

  /**
   * Stop-with-savepoint through the REST API ({@code POST /jobs/:id/stop}, then the trigger's
   * status); returns the savepoint's location once the job has finished.
   */
  public String stopWithSavepoint(String id, Path targetDirectory) throws Exception {
    String trigger = post("/jobs/" + id + "/stop", JSON.createObjectNode().put("targetDirectory", targetDirectory.toUri().toString())
        .put("drain", false).toString()).path("request-id").asText();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      JsonNode status = get("/jobs/" + id + "/savepoints/" + trigger);
      if (status.path("status").path("id").asText().equals("COMPLETED")) {
        JsonNode op = status.path("operation");
        if (op.has("failure-cause")) {
          throw new AssertionError("stop-with-savepoint of " + id + " failed: " + op.path("failure-cause"));
        }
        return op.path("location").asText();
      }
      Thread.sleep(250);
    }
    throw new AssertionError("stop-with-savepoint of " + id + " did not complete within 2 minutes");
  }

  private Process start(String name, String classpath, Path conf, String heap, String mainClass) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap,
        "-XX:MaxDirectMemorySize=256m", "-XX:MaxMetaspaceSize=384m"));
    cmd.addAll(OPENS);
    cmd.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-cp", classpath, mainClass, "--configDir", conf.toString()));
    return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile()).start();
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no " + log + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Logs of both JVMs, for a failing test's message. */
  public String logs() {
    return tail(dir.resolve("jobmanager.log")) + "\n" + tail(dir.resolve("taskmanager.log"));
  }

  @Override
  public void close() {
    for (Process p : new Process[] {taskManager, jobManager}) {
      if (p != null) {
        p.destroy();
        try {
          if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
