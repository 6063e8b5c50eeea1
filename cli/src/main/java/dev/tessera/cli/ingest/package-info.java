/**
 * {@code tessera ingest}: the Flink job of one feature set, from Kafka or a file.
 */
package dev.tessera.cli.ingest;
