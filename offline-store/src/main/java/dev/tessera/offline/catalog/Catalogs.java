package dev.tessera.offline.catalog;

import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.config.OfflineOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.rest.RESTCatalog;

/**
 * Opens the configured Iceberg catalog: JDBC on SQLite (the local default, under the Tessera
 * home), JDBC on PostgreSQL, or a REST catalog; with a local-directory or S3 warehouse.
 */
public final class Catalogs {
  private Catalogs() {}

  public static Catalog open(TesseraConfig config) {
    Map<String, String> props = properties(config);
    String name = config.get(OfflineOptions.CATALOG_NAME);
    try {
      return switch (config.get(OfflineOptions.CATALOG_TYPE)) {
        case JDBC -> {
          JdbcCatalog catalog = new JdbcCatalog();
          catalog.setConf(new Configuration());
          catalog.initialize(name, props);
          yield catalog;
        }
        case REST -> {
          RESTCatalog catalog = new RESTCatalog();
          catalog.setConf(new Configuration());
          catalog.initialize(name, props);
          yield catalog;
        }
      };
    } catch (RuntimeException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE,
          "Cannot open Iceberg catalog '" + name + "' at " + props.get(CatalogProperties.URI) + ": " + rootMessage(e), e);
    }
  }

  /** The Iceberg catalog properties for a configuration (also used by the Flink engine). */
  public static Map<String, String> properties(TesseraConfig config) {
    Map<String, String> props = new HashMap<>();
    String uri = config.get(OfflineOptions.CATALOG_URI);
    props.put(CatalogProperties.URI, uri);
    String warehouse = config.get(OfflineOptions.WAREHOUSE);
    boolean s3 = warehouse.startsWith("s3://") || warehouse.startsWith("s3a://");
    if (!s3) {
      Path dir = Path.of(warehouse).toAbsolutePath().normalize();
      createDirectories(dir);
      warehouse = dir.toString();
    }
    props.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
    if (uri.startsWith("jdbc:sqlite:")) {
      createDirectories(Path.of(uri.substring("jdbc:sqlite:".length())).toAbsolutePath().getParent());
    }
    if (uri.startsWith("jdbc:")) {
      props.put("jdbc.schema-version", "V1"); // the current JDBC catalog schema (adds views)
    }
    config.find(OfflineOptions.CATALOG_USER).ifPresent(u -> props.put("jdbc.user", u));
    config.find(OfflineOptions.CATALOG_PASSWORD).ifPresent(p -> props.put("jdbc.password", p));
    config.find(OfflineOptions.REST_TOKEN).ifPresent(t -> props.put("token", t));
    config.find(OfflineOptions.REST_CREDENTIAL).ifPresent(c -> props.put("credential", c));
    if (s3) {
      props.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
      // S3-compatible stores (MinIO, s3proxy) may reject the AWS SDK's default checksums (SDK >= 2.30):
      // the JVM then needs aws.requestChecksumCalculation=when_required, which the CLI sets (Main)
      config.find(OfflineOptions.S3_ENDPOINT).ifPresent(e -> props.put("s3.endpoint", e));
      props.put("s3.path-style-access", String.valueOf(config.get(OfflineOptions.S3_PATH_STYLE)));
      props.put("client.region", config.get(OfflineOptions.S3_REGION));
      props.put("http-client.type", "urlconnection"); // the client shipped; no Apache HTTP client needed
      config.find(OfflineOptions.S3_ACCESS_KEY).ifPresent(k -> props.put("s3.access-key-id", k));
      config.find(OfflineOptions.S3_SECRET_KEY).ifPresent(k -> props.put("s3.secret-access-key", k));
    } else if (config.get(OfflineOptions.CATALOG_TYPE) == OfflineOptions.CatalogType.JDBC) {
      props.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.hadoop.HadoopFileIO");
    }
    return props;
  }

  /** Describes the catalog without secrets, for manifests and logs. */
  public static Map<String, String> describe(TesseraConfig config) {
    Map<String, String> out = new HashMap<>();
    out.put("type", config.get(OfflineOptions.CATALOG_TYPE).name().toLowerCase());
    out.put("uri", config.get(OfflineOptions.CATALOG_URI).replaceAll("password=[^&;]*", "password=***"));
    out.put("warehouse", config.get(OfflineOptions.WAREHOUSE));
    out.put("namespace", config.get(OfflineOptions.NAMESPACE));
    return out;
  }

  private static void createDirectories(Path dir) {
    if (dir == null) {
      return;
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.IO_ERROR, "Cannot create directory '" + dir + "': " + e.getMessage(), e);
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
