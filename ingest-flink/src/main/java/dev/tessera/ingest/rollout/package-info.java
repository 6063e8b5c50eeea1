/**
 * What resuming a stream under another contract version does to its state: added, removed and
 * changed features, and the refusals.
 */
package dev.tessera.ingest.rollout;
