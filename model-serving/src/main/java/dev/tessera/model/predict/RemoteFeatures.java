package dev.tessera.model.predict;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.sdk.RetryPolicy;
import dev.tessera.sdk.TesseraClient;
import dev.tessera.sdk.TesseraClientException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Features from the online service over HTTP, through the SDK's client (Arrow IPC lookups, its
 * keep-alive connections, retries of transient failures within the fetch timeout). A failure the
 * caller cannot fix is answered 503: the model service cannot answer without features.
 */
public final class RemoteFeatures implements FeatureSource {
  private final String baseUrl;
  private final TesseraClient client;
  private final HttpClient health = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private volatile long checkedAt;
  private volatile boolean ready;

  public RemoteFeatures(String baseUrl, String apiKey, Duration timeout) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.client = TesseraClient.builder().baseUrl(this.baseUrl).apiKey(apiKey).timeout(timeout).retryPolicy(new RetryPolicy(1, Duration.ofMillis(20), Duration.ofMillis(200))).build();
  }

  @Override
  public VectorSchemaRoot fetch(List<String> features, List<Map<String, String>> entities, BufferAllocator allocator) {
    try {
      return client.lookupArrow(features, entities, allocator);
    } catch (TesseraClientException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "The feature lookup at " + baseUrl + " failed (" + e.status() + " " + e.code() + "): "
          + e.getMessage(), e);
    }
  }

  /** The online service's readiness, asked at most once a second. */
  @Override
  public boolean ready() {
    long now = System.nanoTime();
    if (now - checkedAt > 1_000_000_000L) {
      checkedAt = now;
      try {
        HttpRequest r = HttpRequest.newBuilder(URI.create(baseUrl + "/q/health/ready")).timeout(Duration.ofSeconds(1)).build();
        ready = health.send(r, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (Exception e) {
        ready = false;
      }
    }
    return ready;
  }

  @Override
  public void close() {
    client.close();
  }
}
