package dev.tessera.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Iceberg's own REST catalog server ({@code org.apache.iceberg.rest.RESTCatalogServer}, the one
 * behind the REST compatibility kit) as a child JVM, from the class path {@code iceberg-rest-local}
 * writes (its Jetty 12 cannot share a JVM with s3proxy's Jetty 11). Behind it, a JDBC catalog on a
 * SQLite file under {@code dir}, so a restart (even after kill -9) finds every table; {@code
 * catalogProperties} (warehouse, io-impl, s3.*) are passed as its {@code CATALOG_*} environment.
 */
public final class IcebergRestCatalogServer implements AutoCloseable {
  private final Path dir;
  private final String classpath;
  private final Map<String, String> catalogProperties;
  private final int port;
  private Process process;
  private int starts;

  public IcebergRestCatalogServer(Path dir, Path classpathFile, Map<String, String> catalogProperties) throws Exception {
    this.dir = Files.createDirectories(dir);
    if (!Files.isRegularFile(classpathFile)) {
      throw new IllegalStateException("No REST catalog class path at " + classpathFile + ": build the iceberg-rest-local module first");
    }
    this.classpath = Files.readString(classpathFile).trim();
    this.catalogProperties = Map.copyOf(catalogProperties);
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
    start();
  }

  /** {@code http://localhost:<port>/}: what {@code tessera.offline.catalog.uri} takes. */
  public String uri() {
    return "http://localhost:" + port + "/";
  }

  /** Starts the server (again, on the same port and catalog file) and waits until it answers {@code GET /v1/config}. */
  public void start() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        // s3proxy, like MinIO, rejects the checksums AWS SDK >= 2.30 sends by default
        "-Daws.requestChecksumCalculation=when_required", "-Daws.responseChecksumValidation=when_required",
        "-cp", classpath, "org.apache.iceberg.rest.RESTCatalogServer"));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("rest-catalog.log").toFile()));
    Map<String, String> env = pb.environment();
    env.put("CATALOG_REST_PORT", Integer.toString(port));
    env.put("CATALOG_URI", "jdbc:sqlite:" + dir.resolve("catalog.db"));
    env.put("CATALOG_JDBC_SCHEMA__VERSION", "V1");
    // RCKUtils: CATALOG_ stripped, "__" -> "-", "_" -> ".", lower case
    catalogProperties.forEach((k, v) -> env.put("CATALOG_" + k.replace("-", "__").replace(".", "_").toUpperCase(Locale.ROOT), v));
    process = pb.start();
    starts++;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(uri() + "v1/config")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("The Iceberg REST catalog server did not start (start " + starts + "): "
            + Files.readString(dir.resolve("rest-catalog.log")));
      }
      Thread.sleep(200);
    }
  }

  /** kill -9 of the server. */
  public void kill9() throws Exception {
    new ProcessBuilder("kill", "-9", Long.toString(process.pid())).start().waitFor();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
