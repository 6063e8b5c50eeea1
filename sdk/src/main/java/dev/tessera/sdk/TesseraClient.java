package dev.tessera.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.sdk.TesseraClientException.ServiceUnavailableException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.util.TransferPair;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;

/**
 * The Java client of the Tessera online service: typed feature vectors as JSON, or Arrow batches
 * for inference services that score on a GPU. Thread safe; one instance per service and API key.
 * Transient failures (503, connection refused or reset, timeouts) are retried with backoff and
 * jitter, honouring {@code Retry-After}; other failures are typed exceptions at once.
 *
 * <p>{@code
 * try (TesseraClient client = TesseraClient.builder()
 *     .baseUrl("http://localhost:8080").apiKey(System.getenv("TESSERA_API_KEY"))
 *     .timeout(Duration.ofMillis(200)).retryPolicy(RetryPolicy.DEFAULT).build()) {
 *   FeatureVector v = client.get("customer_activity", Map.of("customer_id", "c-1"));
 *   try (BufferAllocator allocator = new RootAllocator();
 *       VectorSchemaRoot batch = client.lookupArrow(List.of("customer_activity:*"), entities, allocator)) {
 *     // one row per entity, columns customer_activity__<feature> and customer_activity__event_time
 *   }
 * }
 * }
 */
public final class TesseraClient implements AutoCloseable {
  public static final String ARROW = "application/vnd.apache.arrow.stream";

  /** How the client waits between retries; replaceable in tests. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final URI base;
  private final String basePath;
  private final Duration timeout;
  private final RetryPolicy retry;
  private final Http11 http;
  private final byte[] getJson;
  private final byte[] postJson;
  private final byte[] postArrow;
  private final Sleeper sleeper;
  private final ObjectMapper json = new ObjectMapper();
  private static final System.Logger LOG = System.getLogger(TesseraClient.class.getName());
  /** Deprecated majors this client was answered from, each warned about once: {@code name@major; sunset=...; replacement=...}. */
  private final java.util.Set<String> deprecations = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private TesseraClient(Builder b) {
    this.base = URI.create(b.baseUrl.endsWith("/") ? b.baseUrl : b.baseUrl + "/");
    this.basePath = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
    this.timeout = b.timeout;
    this.retry = b.retryPolicy;
    this.sleeper = b.sleeper;
    this.http = new Http11(base, b.connectTimeout);
    String key = b.apiKey == null ? "" : "X-API-Key: " + b.apiKey + "\r\n";
    this.getJson = (key + "Accept: application/json\r\n").getBytes(StandardCharsets.ISO_8859_1);
    this.postJson = (key + "Content-Type: application/json\r\nAccept: application/json\r\n").getBytes(StandardCharsets.ISO_8859_1);
    this.postArrow = (key + "Content-Type: application/json\r\nAccept: " + ARROW + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every feature of {@code featureSet} for one entity. */
  public FeatureVector get(String featureSet, Map<String, String> keys) {
    StringBuilder q = new StringBuilder();
    keys.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(enc(k)).append('=').append(enc(v)));
    JsonNode root = readJson(send("GET", basePath + "v1/features/" + enc(featureSet) + q, getJson, null, "GET " + featureSet).body());
    return vector(featureSet, root.path("feature_sets").path(featureSet));
  }

  /**
   * Features of many entities, as typed vectors: one map (feature set → vector) per entity, in
   * request order. References are {@code <featureSet>:<feature>} or {@code <featureSet>:*}.
   */
  public List<Map<String, FeatureVector>> lookup(List<String> features, List<Map<String, String>> entities) {
    JsonNode root = readJson(send("POST", basePath + "v1/features/lookup", postJson, body(features, entities), "lookup").body());
    List<Map<String, FeatureVector>> out = new ArrayList<>();
    for (JsonNode r : root.path("results")) {
      Map<String, FeatureVector> sets = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = r.path("feature_sets").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        sets.put(e.getKey(), vector(e.getKey(), e.getValue()));
      }
      out.add(sets);
    }
    return out;
  }

  /**
   * Features of many entities as one Arrow batch (fetched as an Arrow IPC stream): one row per
   * entity in request order, columns {@code <featureSet>__<feature>} and {@code
   * <featureSet>__event_time}. The caller closes the returned root.
   */
  public VectorSchemaRoot lookupArrow(List<String> features, List<Map<String, String>> entities, BufferAllocator allocator) {
    byte[] bytes = send("POST", basePath + "v1/features/lookup", postArrow, body(features, entities), "lookup (Arrow)").body();
    try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(bytes), allocator)) {
      VectorSchemaRoot src = reader.getVectorSchemaRoot();
      VectorSchemaRoot out = null;
      try {
        while (reader.loadNextBatch()) {
          if (out == null) {
            List<FieldVector> moved = new ArrayList<>();
            for (FieldVector v : src.getFieldVectors()) {
              TransferPair tp = v.getTransferPair(allocator);
              tp.transfer();
              moved.add((FieldVector) tp.getTo());
            }
            out = new VectorSchemaRoot(src.getSchema(), moved, src.getRowCount());
          } else {
            VectorSchemaRootAppender.append(out, src);
          }
        }
        if (out == null) {
          out = VectorSchemaRoot.create(src.getSchema(), allocator);
        }
        return out;
      } catch (RuntimeException | IOException e) {
        if (out != null) {
          out.close();
        }
        throw e;
      }
    } catch (IOException e) {
      throw new TesseraClientException(200, "BAD_RESPONSE", TesseraClientException.Kind.INTERNAL, "Cannot read the Arrow answer of lookup: " + e.getMessage(), e);
    }
  }

  private byte[] body(List<String> features, List<Map<String, String>> entities) {
    ObjectNode root = json.createObjectNode();
    ArrayNode f = root.putArray("features");
    features.forEach(f::add);
    ArrayNode e = root.putArray("entities");
    for (Map<String, String> entity : entities) {
      ObjectNode o = e.addObject();
      entity.forEach(o::put);
    }
    try {
      return json.writeValueAsBytes(root);
    } catch (IOException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** Sends with retries of transient failures; returns a 200 answer or throws the typed error. */
  private Http11.Response send(String method, String target, byte[] head, byte[] body, String what) {
    if (closed) {
      throw new IllegalStateException("TesseraClient is closed");
    }
    int attempt = 0;
    while (true) {
      Duration retryAfter = null;
      TesseraClientException failure;
      try {
        Http11.Response r = http.exchange(method, target, head, body, timeout);
        if (r.status() == 200) {
          String deprecated = r.header("tessera-deprecated");
          if (deprecated != null) {
            warnDeprecated(deprecated);
          }
          return r;
        }
        failure = error(r, what);
        String after = r.header("retry-after");
        retryAfter = after == null ? null : seconds(after);
      } catch (Http11.TimeoutException e) {
        failure = new ServiceUnavailableException(0, "TIMEOUT", what + ": no answer within " + timeout, e);
      } catch (ConnectException e) {
        failure = new ServiceUnavailableException(0, "UNREACHABLE", what + ": cannot connect to " + base + " (" + e.getMessage() + ")", e);
      } catch (IOException e) {
        failure = new ServiceUnavailableException(0, "CONNECTION", what + ": " + e, e);
      }
      if (!failure.transientFailure() || attempt >= retry.maxRetries()) {
        throw failure;
      }
      attempt++;
      try {
        sleeper.sleep(retry.backoff(attempt, retryAfter));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failure;
      }
    }
  }

  /** One warning per deprecated major, the first time an answer comes from it. */
  private void warnDeprecated(String header) {
    for (String entry : header.split(",\\s*")) {
      String majorId = entry.split(";")[0].trim();
      if (!majorId.isEmpty() && warned.add(majorId)) {
        deprecations.add(entry.trim());
        LOG.log(System.Logger.Level.WARNING, "Tessera: " + majorId + " is deprecated"
            + entry.substring(majorId.length()).replace("; sunset=", "; its sunset is ").replace("; replacement=", "; move to ")
            + " (the service answers 410 Gone after the sunset)");
      }
    }
  }

  /** The deprecated majors this client has been answered from ({@code name@major; sunset=...; replacement=...}), each logged once as a warning. */
  public java.util.Set<String> deprecations() {
    return java.util.Set.copyOf(deprecations);
  }

  private TesseraClientException error(Http11.Response r, String what) {
    String code = "HTTP_" + r.status();
    String kind = null;
    String message = new String(r.body(), StandardCharsets.UTF_8);
    try {
      JsonNode e = json.readTree(r.body()).path("error");
      if (e.has("code")) {
        code = e.get("code").asText();
        kind = e.path("kind").asText(null);
        message = e.path("message").asText();
      }
    } catch (IOException | RuntimeException ignored) {
      // not our JSON error body (e.g. a 413 from the HTTP layer): keep the raw text
    }
    String text = what + ": " + r.status() + " " + code + (message.isBlank() ? "" : ": " + message);
    return TesseraClientException.of(r.status(), code, TesseraClientException.Kind.of(kind, r.status()), text, null);
  }

  private JsonNode readJson(byte[] body) {
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new TesseraClientException(200, "BAD_RESPONSE", TesseraClientException.Kind.INTERNAL, "Cannot read the service's JSON answer: " + e.getMessage(), e);
    }
  }

  private static FeatureVector vector(String featureSet, JsonNode n) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("values").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      values.put(e.getKey(), v.isNull() ? null : v.isIntegralNumber() ? (Object) v.asLong() : v.isNumber() ? (Object) v.asDouble()
          : v.isBoolean() ? (Object) v.asBoolean() : v.asText());
    }
    JsonNode t = n.path("event_time");
    JsonNode age = n.path("age_ms");
    return new FeatureVector(featureSet, FeatureVector.Status.valueOf(n.path("status").asText("MISSING")),
        t.isNumber() ? Instant.ofEpochMilli(t.asLong()) : null, age.isNumber() ? Duration.ofMillis(age.asLong()) : null, values,
        n.path("version").asText(null));
  }

  private static Duration seconds(String header) {
    try {
      return Duration.ofSeconds(Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      return null; // an HTTP date: fall back to our own backoff
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Refuses further calls and closes the pooled connections. */
  @Override
  public void close() {
    closed = true;
    http.close();
  }

  /** Options of a {@link TesseraClient}. */
  public static final class Builder {
    private String baseUrl = "http://localhost:8080";
    private String apiKey;
    private Duration timeout = Duration.ofSeconds(2);
    private Duration connectTimeout = Duration.ofSeconds(2);
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private Sleeper sleeper = d -> Thread.sleep(d.toMillis());

    public Builder baseUrl(String baseUrl) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl is null");
      return this;
    }

    /** Sent as {@code X-API-Key}; maps to the consumer name the contracts list. */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** The longest wait for one answer (each attempt). */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout is null");
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout is null");
      return this;
    }

    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy is null");
      return this;
    }

    /** Shorthand for a {@link RetryPolicy} with {@code maxRetries} and the default backoff. */
    public Builder retries(int maxRetries) {
      this.retryPolicy = new RetryPolicy(maxRetries, RetryPolicy.DEFAULT.baseBackoff(), RetryPolicy.DEFAULT.maxBackoff());
      return this;
    }

    Builder sleeper(Sleeper sleeper) {
      this.sleeper = sleeper;
      return this;
    }

    public TesseraClient build() {
      return new TesseraClient(this);
    }
  }
}
