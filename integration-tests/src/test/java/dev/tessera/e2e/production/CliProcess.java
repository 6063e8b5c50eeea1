package dev.tessera.e2e.production;

import dev.tessera.bench.IngestKills;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The production tests' shared pieces: the real CLI as a user runs it, and customer_activity events. */
public final class CliProcess {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private CliProcess() {}

  public record Result(int exit, String output) {}

  /** {@code ./tessera --home <home> <args>}, a real process; its output is printed and returned. */
  public static Result run(Path home, Duration timeout, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("tessera").toString(), "--home", home.toString()));
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(home, "cli-", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("TESSERA_NO_BUILD", "1"); // the build has packaged the CLI
    Process p = pb.start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("tessera " + String.join(" ", args) + " did not end within " + timeout + ":\n" + Files.readString(log));
    }
    String output = Files.readString(log);
    System.out.println("[tessera " + args[0] + "] " + output);
    return new Result(p.exitValue(), output);
  }

  /** Events {@code from} to {@code from + count} of a stream 50 ms apart from {@code t0}, random customers of 2,000. */
  static List<ProducerRecord<byte[], byte[]>> events(IngestKills.Events events, Random random, int count, long t0, int from) {
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      out.add(events.event(random.nextInt(2000), t0 + i * 50L, true));
    }
    return out;
  }
}
