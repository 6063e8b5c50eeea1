/**
 * The point-in-time join, local (a streaming sort-merge) and on Flink, both applying one as-of
 * rule.
 */
package dev.tessera.offline.snapshot.join;
