package dev.tessera.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's main command as a user runs it: `./tessera up` on a fresh home seeds its history,
 * reaches ready and prints the API key, a curl command and a snapshot command; that curl answers a
 * lookup; the snapshot command, run as printed, has values in most rows within a minute (the
 * history's offline rows); SIGINT (Ctrl-C) stops every process it started.
 * (kill -9 of up, and of its children: {@code faults.UpFaultsIT}.)
 */
@Timeout(400)
class UpLauncherIT {
  @Test
  void upAnswersTheCurlItPrintsAndStopsCleanlyOnCtrlC() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    Path home = Files.createTempDirectory("tessera-up-it");
    int port = Stack.freePort();
    ProcessBuilder pb = new ProcessBuilder(root.resolve("tessera").toString(), "up", "--port", Integer.toString(port), "--rate", "50")
        .directory(root.toFile()).redirectErrorStream(true);
    pb.environment().put("TESSERA_HOME", home.toString());
    pb.environment().put("TESSERA_NO_BUILD", "1"); // the build has just packaged everything
    pb.environment().remove("TESSERA_API_KEY");
    Process up = pb.start();
    List<String> lines = new ArrayList<>();
    String curl = null;
    String snapshot = null;
    String key = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(line);
        if (line.strip().startsWith("API key")) {
          key = line.strip().split("\\s+")[2];
        }
        if (line.strip().startsWith("curl ")) {
          curl = line.strip();
        }
        if (line.strip().startsWith("./tessera snapshot ")) {
          snapshot = line.strip();
        }
        if (line.startsWith("Ctrl-C stops everything.")) {
          break;
        }
      }
      assertThat(lines).as(String.join("\n", lines)).contains("Tessera is up.");
      assertThat(key).startsWith("tsk_");
      assertThat(curl).contains("X-API-Key: " + key).contains("/v1/features/customer_activity?customer_id=c-1");
      String url = curl.substring(curl.lastIndexOf(" '") + 2, curl.length() - 1);
      HttpClient http = HttpClient.newHttpClient();
      // the generator's first events for c-1 arrive within seconds
      String apiKey = key;
      HttpResponse<String> answer = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
          .pollInterval(java.time.Duration.ofSeconds(1))
          .until(() -> http.send(HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", apiKey).build(), HttpResponse.BodyHandlers.ofString()),
              a -> a.body().contains("\"status\":\"OK\""));
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).contains("\"customer_activity\"").contains("\"status\":\"OK\"");
      assertThat(lines).anySatisfy(l -> assertThat(l).contains("history   60,000 past events over 2d, in event-time order"));
      // the printed snapshot command, as a user runs it: the history's offline rows give most rows values
      Path train = home.resolve("train.csv");
      List<String> command = new ArrayList<>(List.of(snapshot.replace("--out /tmp/train.parquet", "--out " + train).split(" ")));
      command.set(0, root.resolve("tessera").toString());
      command.replaceAll(a -> a.replace("'", ""));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(120)).pollInterval(java.time.Duration.ofSeconds(5)).untilAsserted(() -> {
        ProcessBuilder snap = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        snap.environment().put("TESSERA_HOME", home.toString());
        snap.environment().put("TESSERA_NO_BUILD", "1");
        Process p = snap.start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(printed).isZero();
        List<String> rows = Files.readAllLines(train);
        long withValues = rows.stream().skip(1).filter(r -> !r.split(",", -1)[3].isEmpty()).count();
        assertThat(withValues).as(String.join("\n", rows)).isGreaterThanOrEqualTo((rows.size() - 1) * 3L / 4);
      });
      List<ProcessHandle> children = up.descendants().toList();
      assertThat(children).as("kafka and online-serving run as child JVMs").hasSizeGreaterThanOrEqualTo(2);
      for (ProcessHandle c : children) {
        assertThat(c.info().commandLine().orElse("")).as("the API key is not on a command line that ps shows").doesNotContain(apiKey);
      }

      new ProcessBuilder("kill", "-INT", Long.toString(up.pid())).start().waitFor();
      assertThat(up.waitFor(180, TimeUnit.SECONDS)).isTrue();
      String rest = out.lines().reduce("", (a, b) -> a + b + "\n");
      assertThat(rest).contains("tessera up: stopping").contains("kafka     stopped").contains("tessera up: stopped");
      for (ProcessHandle c : children) {
        c.onExit().get(30, TimeUnit.SECONDS);
        assertThat(c.isAlive()).as("no orphan: " + c.info().commandLine().orElse("?")).isFalse();
      }
    } finally {
      up.descendants().forEach(ProcessHandle::destroyForcibly);
      up.destroyForcibly();
    }
  }
}
