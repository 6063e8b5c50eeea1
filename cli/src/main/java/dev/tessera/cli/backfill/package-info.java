/**
 * {@code tessera backfill}: a feature set recomputed from its events archive.
 */
package dev.tessera.cli.backfill;
