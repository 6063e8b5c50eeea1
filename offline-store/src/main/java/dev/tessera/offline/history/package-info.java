/**
 * One key's offline rows, and each key's latest row.
 */
package dev.tessera.offline.history;
