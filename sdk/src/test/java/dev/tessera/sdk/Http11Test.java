package dev.tessera.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SDK's HTTP/1.1 transport against a scripted socket server: keep-alive reuse, chunked
 * answers, {@code Connection: close}, a pooled connection the server dropped while idle (sent
 * again on a new one, once), an answer cut in the middle (an error, not a retry), and a server
 * that never answers (a timeout).
 */
@Timeout(30)
class Http11Test {
  /** What the server does with request {@code n} (0-based, over all connections) on connection {@code c}. */
  interface Script {
    String answer(int c, int n); // null: close the connection without answering
  }

  ServerSocket server;
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger requests = new AtomicInteger();
  final List<String> seen = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  Http11 start(Script script) throws IOException {
    server = new ServerSocket(0);
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          int c = connections.getAndIncrement();
          Thread h = new Thread(() -> serve(s, c, script));
          h.setDaemon(true);
          h.start();
        } catch (IOException e) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
    return new Http11(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/"), Duration.ofSeconds(2));
  }

  private void serve(Socket s, int c, Script script) {
    try (s) {
      InputStream in = s.getInputStream();
      while (true) {
        String head = head(in);
        if (head == null) {
          return;
        }
        seen.add(head);
        int length = 0;
        for (String line : head.split("\r\n")) {
          if (line.toLowerCase().startsWith("content-length:")) {
            length = Integer.parseInt(line.substring(15).trim());
          }
        }
        in.readNBytes(length);
        String answer = script.answer(c, requests.getAndIncrement());
        if (answer == null) {
          return;
        }
        s.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        if (answer.contains("Connection: close")) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      String s = b.toString(StandardCharsets.ISO_8859_1);
      if (s.endsWith("\r\n\r\n")) {
        return s;
      }
    }
    return null;
  }

  static String ok(String body) {
    return "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
  }

  Http11.Response get(Http11 http) throws IOException {
    return http.exchange("GET", "/v1/x", "X-API-Key: k\r\n".getBytes(StandardCharsets.US_ASCII), null, Duration.ofSeconds(2));
  }

  @Test
  void keepAliveConnectionsAreReused() throws Exception {
    try (Http11 http = start((c, n) -> ok("answer " + n))) {
      assertThat(new String(get(http).body(), StandardCharsets.UTF_8)).isEqualTo("answer 0");
      assertThat(new String(get(http).body(), StandardCharsets.UTF_8)).isEqualTo("answer 1");
      Http11.Response post = http.exchange("POST", "/v1/y", "Content-Type: application/json\r\n".getBytes(StandardCharsets.US_ASCII),
          "{\"a\":1}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));
      assertThat(post.status()).isEqualTo(200);
    }
    assertThat(connections.get()).isEqualTo(1);
    assertThat(seen.get(0)).startsWith("GET /v1/x HTTP/1.1\r\n").contains("Host: 127.0.0.1:").contains("X-API-Key: k\r\n");
    assertThat(seen.get(2)).startsWith("POST /v1/y HTTP/1.1\r\n").contains("Content-Length: 7\r\n");
  }

  @Test
  void chunkedAnswersAndHeadersAreRead() throws Exception {
    try (Http11 http = start((c, n) -> "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\nRetry-After: 3\r\n\r\n"
        + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n")) {
      Http11.Response r = get(http);
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.header("retry-after")).isEqualTo("3");
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("hello, world");
      get(http); // the connection stayed usable after a chunked answer
    }
    assertThat(connections.get()).isEqualTo(1);
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    try (Http11 http = start((c, n) -> "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")) {
      get(http);
      get(http);
    }
    assertThat(connections.get()).isEqualTo(2);
  }

  @Test
  void aPooledConnectionTheServerDroppedIsReplacedOnce() throws Exception {
    // the first connection answers once, then the server drops it without answering the next request
    try (Http11 http = start((c, n) -> c == 0 && n > 0 ? null : ok("from connection " + c))) {
      assertThat(new String(get(http).body(), StandardCharsets.UTF_8)).isEqualTo("from connection 0");
      assertThat(new String(get(http).body(), StandardCharsets.UTF_8)).isEqualTo("from connection 1");
    }
  }

  @Test
  void anAnswerCutInTheMiddleIsAnErrorNotARetry() throws Exception {
    try (Http11 http = start((c, n) -> "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 100\r\n\r\nonly part")) {
      assertThatThrownBy(() -> get(http)).isInstanceOf(IOException.class).hasMessageContaining("ended after");
    }
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void aServerThatNeverAnswersTimesOut() throws Exception {
    try (Http11 http = start((c, n) -> {
      try {
        Thread.sleep(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return ok("late");
    })) {
      assertThatThrownBy(() -> http.exchange("GET", "/", new byte[0], null, Duration.ofMillis(300)))
          .isInstanceOf(Http11.TimeoutException.class);
    }
  }

  @Test
  void onlyHttpAndHttpsBaseUrls() {
    assertThatThrownBy(() -> new Http11(URI.create("ftp://host/"), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http:// or https://");
  }
}
