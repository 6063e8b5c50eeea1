/**
 * Source events: decoding (binary, single-object, Confluent framing, JSON), validation against the
 * contract, the lateness rule per partition, and the arrival order of events.
 */
package dev.tessera.ingest.decode;
