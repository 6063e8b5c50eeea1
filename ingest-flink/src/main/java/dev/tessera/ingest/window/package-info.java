/**
 * The window logic (plain Java, no Flink): per-key state of partial aggregates by hop, fresh and
 * final rows, and the state's versioned layout and migration.
 */
package dev.tessera.ingest.window;
