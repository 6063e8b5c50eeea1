/**
 * Schemas derived from a contract (Iceberg, Avro, Arrow) and the mapping of source Avro types to
 * feature types; nobody writes a row schema by hand.
 */
package dev.tessera.contracts.schema;
