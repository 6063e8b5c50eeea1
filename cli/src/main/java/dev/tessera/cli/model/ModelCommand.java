package dev.tessera.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.cli.CliContext;
import dev.tessera.cli.TesseraCommand;
import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.model.config.ModelConfig;
import dev.tessera.model.config.ModelConfigParser;
import dev.tessera.model.launch.ModelServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tessera model}: the model service template. Under this command {@code --config} names the
 * model config (kind: ModelService); the Tessera config comes from TESSERA_CONFIG or
 * {@code <home>/tessera.properties}.
 */
@Command(name = "model", mixinStandardHelpOptions = true,
    description = {"Serves an ONNX model fed with Tessera features (docs/model-serving.md), and rolls its versions out.",
        "Here --config names the model config (kind: ModelService); the Tessera config comes from TESSERA_CONFIG or <home>/tessera.properties."},
    subcommands = {ModelCommand.Serve.class, ModelCommand.Status.class, ModelCommand.Promote.class, ModelCommand.Rollback.class})
public final class ModelCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The model config named by --config, parsed (not checked against the contracts: the service does that). */
  static ModelConfig modelConfig(CommandSpec spec) {
    Path file = root(spec).configFile();
    if (file == null) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Give the model config: tessera model " + spec.name() + " --config <model.yaml>");
    }
    if (!Files.isRegularFile(file)) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Model config '" + file + "' does not exist");
    }
    ModelConfigParser.Result r = new ModelConfigParser().parse(file);
    if (r.config() == null) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, r.problems().list().size() + " problem(s) in the model config:\n  "
          + String.join("\n  ", r.problems().list().stream().map(p -> p.format()).toList()));
    }
    return r.config();
  }

  static TesseraCommand root(CommandSpec spec) {
    return (TesseraCommand) spec.root().userObject();
  }

  /** The Tessera config file: TESSERA_CONFIG / -Dtessera.config / the home's; never --config, which is the model's here. */
  static Path tesseraConfigFile(CommandSpec spec) {
    return TesseraConfig.configFile(root(spec).home(), null).orElse(null);
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = {"Runs the model service in the foreground: POST /v1/models/<name>/predict (JSON and Arrow), health, metrics, OpenAPI.",
          "Refuses to start, with every problem named, when the config, the contracts or the ONNX signature disagree (exit 2)."})
  public static final class Serve implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--port", defaultValue = "8090", description = "HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() throws Exception {
      ModelConfig config = modelConfig(spec);
      CliContext.of(root(spec).home(), tesseraConfigFile(spec), Map.of()); // validates the Tessera config: unknown keys, bad values
      Process p = ModelServiceProcess.start(ModelServiceProcess.command(root(spec).home(), tesseraConfigFile(spec), config.file(), port,
          Map.of(), jvmOptions()), Map.of(), null);
      return dev.tessera.cli.serve.Foreground.run(p);
    }

    static List<String> jvmOptions() {
      String opts = System.getenv("TESSERA_MODEL_JAVA_OPTS");
      return opts == null || opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+"));
    }
  }

  /** Options of the commands that call a running model service. */
  abstract static class Client implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--url", defaultValue = "http://localhost:8090", description = "The model service (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--api-key", description = "An API key of consumer '*' (default: TESSERA_API_KEY, else the key of `tessera up` in the home).")
    String apiKey;

    JsonNode call(String method, String path) throws Exception {
      ModelConfig config = modelConfig(spec);
      String key = CliContext.apiKey(spec, apiKey);
      String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/models/" + config.name() + path)).timeout(Duration.ofSeconds(30));
      if (key != null) {
        b.header("X-API-Key", key);
      }
      b.method(method, HttpRequest.BodyPublishers.noBody());
      HttpResponse<String> r;
      try {
        r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (java.io.IOException e) {
        throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot reach the model service at " + base + ": " + e);
      }
      JsonNode body = new ObjectMapper().readTree(r.body().isEmpty() ? "{}" : r.body());
      if (r.statusCode() != 200) {
        String code = body.path("error").path("code").asText("HTTP_" + r.statusCode());
        ErrorCode known = java.util.Arrays.stream(ErrorCode.values()).filter(c -> c.name().equals(code)).findFirst().orElse(ErrorCode.INTERNAL);
        throw new TesseraException(known, body.path("error").path("message").asText(r.body()));
      }
      return body;
    }

    void print(JsonNode d) {
      var out = spec.commandLine().getOut();
      out.printf("%s: %s %s (%s)%n", d.path("model").asText(), d.path("primary").path("version").asText(), d.path("state").asText(),
          d.path("provider").asText());
      List<String> reads = new java.util.ArrayList<>();
      d.path("features").path("reads").forEach(r -> reads.add(r.asText()));
      out.printf("  %-10s %s, reading %s%n", "features", d.path("features").path("mode").asText(), String.join(", ", reads));
      line(out, "primary", d.path("primary"));
      JsonNode c = d.path("candidate");
      if (!c.isMissingNode()) {
        line(out, "candidate", c);
        out.printf("  %-10s %s%s%n", "", c.path("mode").asText(), c.has("weight") ? " " + Math.round(c.path("weight").asDouble() * 1000) / 10.0 + "%" : "");
        for (JsonNode g : c.path("gates")) {
          out.printf("  %-10s %s %s%n", "gate", g.path("passed").asBoolean() ? "pass" : "FAIL", g.path("message").asText());
        }
      }
      if (d.has("previous")) {
        out.printf("  %-10s %s (rollback restores it)%n", "previous", d.path("previous").path("primary").asText());
      }
      if (d.has("log")) {
        out.printf("  %-10s %s: %,d written, %,d dropped%n", "log", d.path("log").path("topic").asText(), d.path("log").path("written").asLong(),
            d.path("log").path("dropped").asLong());
      }
      out.flush();
    }

    private static void line(java.io.PrintWriter out, String what, JsonNode v) {
      JsonNode s = v.path("stats");
      out.printf("  %-10s %s (%s): %,d requests%s%s%n", what, v.path("version").asText(), v.path("artifact").asText(), s.path("requests").asLong(),
          s.has("p99_ms") ? String.format(", p50 %.2f ms, p99 %.2f ms", s.path("p50_ms").asDouble(), s.path("p99_ms").asDouble()) : "",
          s.has("disagreement") ? String.format(", disagreement %.4f", s.path("disagreement").asDouble()) : "");
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Shows the running model's versions, statistics and promotion gates.")
  public static final class Status extends Client {
    @Override
    public Integer call() throws Exception {
      print(call("GET", ""));
      return 0;
    }
  }

  @Command(name = "promote", mixinStandardHelpOptions = true,
      description = {"Swaps the candidate in if every promotion gate passes (the service's own metrics); else prints the gates that failed (exit 1).",
          "Atomic: no request fails during the swap. The promotion survives restarts of the service."})
  public static final class Promote extends Client {
    @Override
    public Integer call() throws Exception {
      JsonNode d = call("POST", "/promote");
      spec.commandLine().getOut().printf("Promoted %s %s over %s%n", d.path("model").asText(), d.path("primary").path("version").asText(),
          d.path("previous").path("primary").asText());
      print(d);
      return 0;
    }
  }

  @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Restores the deployment before the last promotion. Atomic.")
  public static final class Rollback extends Client {
    @Override
    public Integer call() throws Exception {
      JsonNode d = call("POST", "/rollback");
      spec.commandLine().getOut().printf("Rolled %s back to %s%n", d.path("model").asText(), d.path("primary").path("version").asText());
      print(d);
      return 0;
    }
  }
}
