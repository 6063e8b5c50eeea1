/**
 * Training data in-process: point-in-time snapshots and replays (needs the optional offline store
 * on the class path).
 */
package dev.tessera.sdk.offline;
