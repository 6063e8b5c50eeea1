/**
 * {@code tessera snapshot} and {@code tessera offline tables|history}: training snapshots and the
 * offline tables.
 */
package dev.tessera.cli.offline;
