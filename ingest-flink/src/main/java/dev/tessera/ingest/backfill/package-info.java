/**
 * Backfills from the events archive: the stream's own validation, lateness and window code replayed
 * in two sorted passes, in this process or as a Flink batch job, committed as one Iceberg snapshot.
 */
package dev.tessera.ingest.backfill;
