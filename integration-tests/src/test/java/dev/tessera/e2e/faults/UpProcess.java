package dev.tessera.e2e.faults;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** `./tessera up` as a user runs it, a real process whose output lines are kept for the test to wait on. */
final class UpProcess implements AutoCloseable {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  final Process process;
  final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private UpProcess(Process process) {
    this.process = process;
    reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          lines.add(line);
          System.out.println("[up] " + line);
        }
      } catch (java.io.IOException e) {
        // the process is gone
      }
    }, "up-output");
    reader.setDaemon(true);
    reader.start();
  }

  static UpProcess start(Path home, int port, int rate, String apiKey) throws Exception {
    // no history: the fault suite counts the events it sends itself
    ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("tessera").toString(), "up", "--port", Integer.toString(port), "--rate",
        Integer.toString(rate), "--history", "0").directory(ROOT.toFile()).redirectErrorStream(true);
    pb.environment().put("TESSERA_HOME", home.toString());
    pb.environment().put("TESSERA_NO_BUILD", "1"); // the build has packaged everything
    pb.environment().put("TESSERA_API_KEY", apiKey);
    UpProcess up = new UpProcess(pb.start());
    up.awaitLine(l -> l.startsWith("Ctrl-C stops everything."), Duration.ofSeconds(240));
    return up;
  }

  String awaitLine(Predicate<String> wanted) {
    return awaitLine(wanted, Duration.ofSeconds(10));
  }

  static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Waits for an output line; fails naming the wait, with the output so far, when up exits first. */
  String awaitLine(Predicate<String> wanted, Duration timeout) {
    return await("a line of tessera up").atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
      Optional<String> l = lines.stream().filter(wanted).findFirst();
      if (l.isEmpty() && !process.isAlive()) {
        reader.join(10_000); // its last lines may still be in the pipe
        l = lines.stream().filter(wanted).findFirst();
      }
      if (l.isEmpty() && !process.isAlive()) {
        throw new AssertionError("tessera up exited (" + process.exitValue() + "):\n" + String.join("\n", lines));
      }
      return l.orElse(null);
    }, java.util.Objects::nonNull);
  }

  /** The online service's JVM (the command line names quarkus-run.jar). */
  ProcessHandle service() {
    return process.descendants().filter(h -> h.info().commandLine().orElse("").contains("quarkus-run.jar")).findFirst()
        .orElseThrow(() -> new AssertionError("no online-serving child of tessera up"));
  }

  /** The broker's JVM: the other java child (its command line, a long class path, may be cut before the main class). */
  ProcessHandle broker() {
    return process.descendants().filter(h -> h.info().command().orElse("").endsWith("java"))
        .filter(h -> !h.info().commandLine().orElse("").contains("quarkus-run.jar")).findFirst()
        .orElseThrow(() -> new AssertionError("no Kafka broker child of tessera up"));
  }

  static void kill9(ProcessHandle h) throws Exception {
    new ProcessBuilder("kill", "-9", Long.toString(h.pid())).start().waitFor();
    h.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
