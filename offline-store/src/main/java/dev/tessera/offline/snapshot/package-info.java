/**
 * Training snapshots: the service (request, result, manifest, output) that plans a point-in-time
 * join over a spine and replays it later.
 */
package dev.tessera.offline.snapshot;
