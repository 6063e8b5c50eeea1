package dev.tessera.cli.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.cli.CliContext;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera contract usage <name>}: who reads a feature set, from the online service's catalog. */
@Command(name = "usage", mixinStandardHelpOptions = true,
    description = {"Who reads a feature set major: answered requests per consumer and their last read, as the online service counts",
        "them (kept in the online store: across restarts and every replica), with the major's status, sunset and replacement.",
        "  tessera contract usage customer_activity@1"})
public final class UsageCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "<name>", description = "The feature set: <name> (its newest active major) or <name>@<major>.")
  String name;

  @Option(names = "--url", defaultValue = "http://localhost:8080", description = "The online API (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--api-key", description = "API key (default: TESSERA_API_KEY, else the key of `tessera up` in the home).")
  String apiKey;

  @Override
  public Integer call() throws Exception {
    String key = CliContext.apiKey(spec, apiKey);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/v1/feature-sets/"
        + URLEncoder.encode(name, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10));
    if (key != null) {
      request.header("X-API-Key", key);
    }
    HttpResponse<String> answer;
    try {
      answer = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot reach the online service at " + url + ": is it running (tessera up, tessera serve)?");
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot read the catalog from " + url + ": " + e.getMessage(), e);
    }
    JsonNode body = new ObjectMapper().readTree(answer.body());
    if (answer.statusCode() != 200) {
      throw new TesseraException(answer.statusCode() == 404 ? ErrorCode.NOT_FOUND : ErrorCode.UNAVAILABLE,
          "The online service answered " + answer.statusCode() + ": " + body.at("/error/message").asText(answer.body()));
    }
    PrintWriter out = spec.commandLine().getOut();
    JsonNode consumers = body.at("/live/consumers");
    out.printf("%s@%s (%s%s%s): read by %d consumer(s)%n", body.path("name").asText(),
        body.path("version").asText(), body.path("status").asText(),
        body.hasNonNull("sunset") ? ", sunset " + body.get("sunset").asText() : "",
        body.hasNonNull("replacement") ? ", replacement " + body.get("replacement").asText() : "", consumers.size());
    if (consumers.size() > 0) {
      out.println("| consumer | reads | last read (UTC) | ago |");
      out.println("|---|---|---|---|");
      long now = System.currentTimeMillis();
      consumers.fields().forEachRemaining(e -> {
        long last = e.getValue().path("last_read_ms").asLong();
        out.printf("| %s | %,d | %s | %ds |%n", e.getKey(), e.getValue().path("reads").asLong(), Instant.ofEpochMilli(last),
            Math.max(0, (now - last) / 1000));
      });
    }
    out.flush();
    return 0;
  }
}
