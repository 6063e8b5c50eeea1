/**
 * The Flink ingest job of one feature set: source, validation, events archive, windows, DLQ,
 * changelog and Iceberg sinks, and its environment from configuration.
 */
package dev.tessera.ingest.job;
