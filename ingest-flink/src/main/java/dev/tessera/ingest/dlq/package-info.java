/**
 * Dead letters put back once their cause is fixed: {@link dev.tessera.ingest.dlq.DlqReplay}
 * validates each again with today's contract and sends it live into its source topic or through a
 * backfill of the events archive, with a replay marker per DLQ position.
 */
package dev.tessera.ingest.dlq;
