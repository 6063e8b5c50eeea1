package dev.tessera.model.launch;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The model service (model-serving's Quarkus application) as a child JVM, as `tessera model serve`
 * and `tessera up --models` start it: its ONNX Runtime and Quarkus libraries stay off the CLI's
 * class path. The application is {@code model-serving/target/quarkus-app/quarkus-run.jar} under
 * the Tessera checkout ({@code TESSERA_ROOT}). It exits with status 2 and one message when the
 * model config, the contracts or the ONNX signature refuse it.
 */
public final class ModelServiceProcess {
  /** Exit status of a refused start. */
  public static final int REFUSED = 2;

  private ModelServiceProcess() {}

  public static Path applicationJar() {
    String root = System.getProperty("tessera.root", System.getenv().getOrDefault("TESSERA_ROOT", "."));
    Path jar = Path.of(root, "model-serving", "target", "quarkus-app", "quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot find the model service at '" + jar
          + "': build it with ./tessera (which builds it) or mvn -pl model-serving -am package -DskipTests");
    }
    return jar;
  }

  /** The command line: same Java, the Tessera home and config file, the model config, the port, extra keys. */
  public static List<String> command(Path home, Path configFile, Path modelConfig, int port, Map<String, String> properties, List<String> jvmOptions) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED"); // Arrow's memory
    cmd.add("-Dtessera.home=" + home.toAbsolutePath());
    if (configFile != null) {
      cmd.add("-Dtessera.config=" + configFile.toAbsolutePath());
    }
    cmd.add("-Dtessera.model.config=" + modelConfig.toAbsolutePath());
    cmd.add("-Dquarkus.http.port=" + port);
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-jar");
    cmd.add(applicationJar().toString());
    return cmd;
  }

  /** Starts it with its output appended to {@code log} ({@code log} null: inherited), {@code env} added to its environment. */
  public static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    if (log == null) {
      pb.inheritIO();
    } else {
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }
    return pb.start();
  }

  /** Waits until the service listens ({@code /q/health/live} answers 200); a child that exits first is an error naming its log. */
  public static void awaitListening(Process service, String baseUrl, Duration timeout, Path log) throws InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest live = HttpRequest.newBuilder(URI.create(baseUrl + "/q/health/live")).timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!service.isAlive()) {
        throw new TesseraException(service.exitValue() == REFUSED ? ErrorCode.INVALID_ARGUMENT : ErrorCode.UNAVAILABLE,
            "The model service exited (" + service.exitValue() + ")" + (log == null ? "" : "; see " + log));
      }
      try {
        if (client.send(live, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new TesseraException(ErrorCode.UNAVAILABLE, "The model service did not listen within " + timeout + (log == null ? "" : "; see " + log));
  }
}
