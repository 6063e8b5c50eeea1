/**
 * Iceberg catalogs and warehouses from configuration (JDBC on SQLite or PostgreSQL, REST; local or
 * S3).
 */
package dev.tessera.offline.catalog;
