package dev.tessera.sdk;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** An HTTP proxy to the online service that answers every n-th request itself with 503. */
final class FlakyProxy implements AutoCloseable {
  private final HttpServer server;
  final AtomicInteger requests = new AtomicInteger();

  FlakyProxy(String target, int failEvery) throws IOException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      int n = requests.incrementAndGet();
      if (n % failEvery == 0) {
        byte[] err = "{\"error\":{\"code\":\"OVERLOADED\",\"message\":\"injected\"}}".getBytes();
        ex.getResponseHeaders().add("Retry-After", "0");
        ex.sendResponseHeaders(503, err.length);
        try (OutputStream o = ex.getResponseBody()) {
          o.write(err);
        }
        return;
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()));
      ex.getRequestHeaders().forEach((k, vs) -> {
        if (!k.equalsIgnoreCase("host") && !k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("connection")) {
          vs.forEach(v -> b.header(k, v));
        }
      });
      b.method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
      try {
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        r.headers().firstValue("content-type").ifPresent(v -> ex.getResponseHeaders().add("Content-Type", v));
        ex.sendResponseHeaders(r.statusCode(), r.body().length);
        try (OutputStream o = ex.getResponseBody()) {
          o.write(r.body());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ex.sendResponseHeaders(502, -1);
      }
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
