package dev.tessera.online.launch;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The online feature service (online-serving's Quarkus application) as a child JVM. It is a
 * separate process by design: its RocksDB library and Quarkus' libraries stay off the Flink class
 * path of the CLI. The application is {@code online-serving/target/quarkus-app/quarkus-run.jar}
 * under the Tessera checkout ({@code TESSERA_ROOT}, set by the launcher).
 */
public final class ServiceProcess {
  private ServiceProcess() {}

  /** The Quarkus application jar, or a clear error saying how to build it. */
  public static Path applicationJar() {
    String root = System.getProperty("tessera.root", System.getenv().getOrDefault("TESSERA_ROOT", "."));
    Path jar = Path.of(root, "online-serving", "target", "quarkus-app", "quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot find the online service at '" + jar
          + "': build it with ./tessera (which builds it) or mvn -pl online-serving -am package -DskipTests");
    }
    return jar;
  }

  /** The command line of the service: same Java, Tessera home and config, the given port and extra keys. */
  public static List<String> command(Path home, Path configFile, int port, Map<String, String> properties) {
    String opts = System.getenv("TESSERA_SERVE_JAVA_OPTS");
    return command(home, configFile, port, properties, opts == null || opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+")));
  }

  /** As above, with JVM options (heap, GC) for the service. */
  public static List<String> command(Path home, Path configFile, int port, Map<String, String> properties, List<String> jvmOptions) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    cmd.add("-Dtessera.home=" + home.toAbsolutePath());
    if (configFile != null) {
      cmd.add("-Dtessera.config=" + configFile.toAbsolutePath());
    }
    cmd.add("-Dquarkus.http.port=" + port);
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-jar");
    cmd.add(applicationJar().toString());
    return cmd;
  }

  /** Waits until the service at {@code baseUrl} reports ready (caught up with the changelog). */
  public static void awaitReady(Process service, String baseUrl, java.time.Duration timeout, Path log) throws InterruptedException {
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest ready = java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl + "/q/health/ready"))
        .timeout(java.time.Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!service.isAlive()) {
        throw new TesseraException(ErrorCode.UNAVAILABLE, "online-serving exited (" + service.exitValue() + "); see " + log);
      }
      try {
        if (client.send(ready, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new TesseraException(ErrorCode.UNAVAILABLE, "online-serving was not ready within " + timeout + "; see " + log);
  }

  /** Starts the service with inherited output; the caller waits for it or destroys it. */
  public static Process start(List<String> command, boolean inheritIo, Path log) throws IOException {
    return start(command, Map.of(), inheritIo, log);
  }

  /** Starts the service, its output appended to {@code log}, with {@code env} added to its environment (secrets: not on the command line). */
  public static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
    return start(command, env, false, log);
  }

  private static Process start(List<String> command, Map<String, String> env, boolean inheritIo, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    if (inheritIo) {
      pb.inheritIO();
    } else {
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }
    return pb.start();
  }
}
