/**
 * Spines: the rows a snapshot is asked for (CSV, Parquet, an Iceberg table), their typed values and
 * content hashes.
 */
package dev.tessera.offline.snapshot.spine;
