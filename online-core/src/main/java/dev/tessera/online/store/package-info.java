/**
 * Online stores: RocksDB in each replica or a shared Redis, written in batches with their changelog
 * offsets.
 */
package dev.tessera.online.store;
