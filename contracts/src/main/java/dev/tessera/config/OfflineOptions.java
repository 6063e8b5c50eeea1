package dev.tessera.config;

import java.util.List;

/** Configuration keys of the offline store and snapshots. Documented in docs/configuration.md. */
public final class OfflineOptions {
  private OfflineOptions() {}

  /** Which Iceberg catalog implementation to use. */
  public enum CatalogType {
    JDBC,
    REST
  }

  /** Where point-in-time joins run. */
  public enum Engine {
    LOCAL,
    FLINK
  }

  public static final ConfigOption<CatalogType> CATALOG_TYPE = ConfigOption.enumeration(
      "tessera.offline.catalog.type", CatalogType.class, CatalogType.JDBC,
      "Iceberg catalog: jdbc (SQLite by default, or PostgreSQL) or rest.");
  public static final ConfigOption<String> CATALOG_NAME = ConfigOption.string(
      "tessera.offline.catalog.name", "tessera", "Catalog name, as recorded in the JDBC catalog tables.");
  public static final ConfigOption<String> CATALOG_URI = ConfigOption.string(
      "tessera.offline.catalog.uri", "jdbc:sqlite:${home}/catalog.db",
      "JDBC URL (jdbc:sqlite:<file> or jdbc:postgresql://host:5432/db) or the REST catalog's http(s) URL.");
  public static final ConfigOption<String> CATALOG_USER = ConfigOption.string(
      "tessera.offline.catalog.jdbc.user", null, "JDBC catalog user (PostgreSQL).");
  public static final ConfigOption<String> CATALOG_PASSWORD = ConfigOption.string(
      "tessera.offline.catalog.jdbc.password", null, "JDBC catalog password; use ${env:NAME} to keep it out of the file.");
  public static final ConfigOption<String> REST_TOKEN = ConfigOption.string(
      "tessera.offline.catalog.rest.token", null, "Bearer token for the REST catalog.");
  public static final ConfigOption<String> REST_CREDENTIAL = ConfigOption.string(
      "tessera.offline.catalog.rest.credential", null, "OAuth2 client credential (id:secret) for the REST catalog.");
  public static final ConfigOption<String> WAREHOUSE = ConfigOption.string(
      "tessera.offline.warehouse", "${home}/warehouse",
      "Warehouse location: a local directory, or s3://bucket/prefix (then set the tessera.offline.s3.* keys).");
  public static final ConfigOption<String> NAMESPACE = ConfigOption.string(
      "tessera.offline.namespace", "features", "Iceberg namespace of the feature tables.");
  public static final ConfigOption<String> S3_ENDPOINT = ConfigOption.string(
      "tessera.offline.s3.endpoint", null, "S3 endpoint URL for S3-compatible stores (MinIO, s3proxy); empty for AWS.");
  public static final ConfigOption<String> S3_REGION = ConfigOption.string(
      "tessera.offline.s3.region", "us-east-1", "S3 region.");
  public static final ConfigOption<String> S3_ACCESS_KEY = ConfigOption.string(
      "tessera.offline.s3.access-key-id", null, "S3 access key id; empty to use the AWS default credential chain.");
  public static final ConfigOption<String> S3_SECRET_KEY = ConfigOption.string(
      "tessera.offline.s3.secret-access-key", null, "S3 secret access key.");
  public static final ConfigOption<Boolean> S3_PATH_STYLE = ConfigOption.bool(
      "tessera.offline.s3.path-style-access", true, "Path-style S3 URLs (needed by MinIO and s3proxy).");
  public static final ConfigOption<java.time.Duration> ARCHIVE_RETENTION = ConfigOption.duration(
      "tessera.offline.archive.retention", null,
      "How long the events archive keeps events (by event time, whole days, e.g. 400d); empty keeps them all. Backfills cannot reach further back.");
  public static final ConfigOption<Long> SORT_BUFFER = ConfigOption.bytes(
      "tessera.snapshot.sort-buffer", 256L << 20,
      "Memory for the snapshot join's sort buffers, in total (e.g. 256m); beyond it runs spill to disk.");
  public static final ConfigOption<String> SPILL_DIR = ConfigOption.string(
      "tessera.snapshot.spill-dir", "${home}/tmp", "Where the snapshot join spills sorted runs.");
  public static final ConfigOption<Engine> ENGINE = ConfigOption.enumeration(
      "tessera.snapshot.engine", Engine.class, Engine.LOCAL,
      "Where snapshots are joined: local (in-process, streaming sort-merge) or flink (a Flink batch job).");

  public static final ConfigOption<Integer> FLINK_PARALLELISM = ConfigOption.integer(
      "tessera.snapshot.flink.parallelism", 2, "Parallelism of the Flink snapshot job.");

  public static final List<ConfigOption<?>> ALL = List.of(
      CATALOG_TYPE, CATALOG_NAME, CATALOG_URI, CATALOG_USER, CATALOG_PASSWORD, REST_TOKEN, REST_CREDENTIAL,
      WAREHOUSE, NAMESPACE, ARCHIVE_RETENTION, S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY, S3_PATH_STYLE,
      SORT_BUFFER, SPILL_DIR, ENGINE, FLINK_PARALLELISM);
}
