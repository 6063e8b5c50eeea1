/**
 * {@code tessera up}: the whole platform on one machine (broker, ingest, offline tables, online
 * service, events), its home and its lifecycle.
 */
package dev.tessera.cli.up;
