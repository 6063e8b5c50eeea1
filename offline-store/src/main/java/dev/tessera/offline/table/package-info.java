/**
 * Iceberg tables from contracts: feature tables (create, evolve, append, replace a range) and the
 * events archive.
 */
package dev.tessera.offline.table;
