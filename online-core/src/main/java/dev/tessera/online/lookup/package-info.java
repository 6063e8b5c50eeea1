/**
 * Lookups: feature selections, reading and decoding stored rows by name, TTL, missing features with
 * their reason.
 */
package dev.tessera.online.lookup;
