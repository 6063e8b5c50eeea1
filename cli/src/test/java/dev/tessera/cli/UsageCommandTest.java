package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera contract usage} against a scripted catalog endpoint (the catalog's real shape is
 * checked on the packaged service by the SDK's DeprecationIT): the table it prints, the key it
 * sends, and its errors.
 */
class UsageCommandTest {
  @TempDir Path home;

  @Test
  void printsWhoReadsAMajorAndItsSunset() throws Exception {
    List<String> keys = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    long last = System.currentTimeMillis() - 3_000;
    server.createContext("/v1/feature-sets/", ex -> {
      keys.add(ex.getRequestHeaders().getFirst("X-API-Key"));
      boolean known = ex.getRequestURI().getPath().endsWith("/customer_activity");
      byte[] body = (known ? """
          {"name":"customer_activity","version":"1.4.0","status":"deprecated","sunset":"2027-06-30","replacement":"customer_activity@2",
           "live":{"consumers":{"fraud-scoring":{"reads":1200,"last_read_ms":%d},"marketing-propensity":{"reads":3,"last_read_ms":%d}}}}"""
          .formatted(last, last) : "{\"error\":{\"code\":\"NOT_FOUND\",\"kind\":\"USER\",\"message\":\"Unknown feature set 'nope'\"}}")
          .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(known ? 200 : 404, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort();
      CliRun.Result r = CliRun.inHome(home, "contract", "usage", "customer_activity", "--url", url, "--api-key", "k-1");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("customer_activity@1.4.0 (deprecated, sunset 2027-06-30, replacement customer_activity@2): read by 2 consumer(s)")
          .contains("| fraud-scoring | 1,200 | ").contains("| marketing-propensity | 3 | ").containsPattern("\\| [34]s \\|");
      assertThat(keys).containsExactly("k-1");

      CliRun.Result unknown = CliRun.inHome(home, "contract", "usage", "nope", "--url", url, "--api-key", "k-1");
      assertThat(unknown.exit()).isEqualTo(1);
      assertThat(unknown.err()).contains("The online service answered 404: Unknown feature set 'nope'");
    } finally {
      server.stop(0);
    }
    CliRun.Result down = CliRun.inHome(home, "contract", "usage", "customer_activity", "--url", "http://127.0.0.1:1");
    assertThat(down.exit()).isEqualTo(75);
    assertThat(down.err()).contains("Cannot reach the online service at http://127.0.0.1:1");
  }
}
