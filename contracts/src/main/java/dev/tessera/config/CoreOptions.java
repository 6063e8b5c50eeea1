package dev.tessera.config;

import java.util.List;

/** Configuration keys every Tessera component shares. Documented in docs/configuration.md. */
public final class CoreOptions {
  private CoreOptions() {}

  public static final ConfigOption<String> CONTRACTS_DIR = ConfigOption.string(
      "tessera.contracts.dir", "contracts/examples", "Directory of the contracts to load (searched recursively).");

  public static final ConfigOption<String> FLINK_REST = ConfigOption.string(
      "tessera.flink.rest", null,
      "host:port of a Flink session cluster's REST endpoint for ingest jobs and --engine flink snapshots; empty runs a MiniCluster in the process.");

  public static final ConfigOption<String> FLINK_PROVIDED_JARS = ConfigOption.string(
      "tessera.flink.provided-jars", "(flink-(?!connector-|sql-connector-).*|frocksdbjni-.*|slf4j-.*|log4j-.*)\\.jar",
      "Regex of jar file names on the CLI's class path that a Flink distribution provides: not shipped with jobs submitted to tessera.flink.rest.");

  /** Shared by ingest jobs (source, changelog, DLQ) and online serving (changelog). */
  public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS = ConfigOption.string(
      "tessera.kafka.bootstrap-servers", null, "Kafka bootstrap servers (host:port,...); empty: no Kafka (file backfills only, no changelog).");

  public static final ConfigOption<java.time.Duration> RETIRE_QUIET_PERIOD = ConfigOption.duration(
      "tessera.lifecycle.quiet-period", java.time.Duration.ofDays(7),
      "How long no consumer may have read a major before `tessera contract retire` retires it.");

  public static final List<ConfigOption<?>> ALL = List.of(CONTRACTS_DIR, FLINK_REST, FLINK_PROVIDED_JARS, KAFKA_BOOTSTRAP_SERVERS, RETIRE_QUIET_PERIOD);
}
