/**
 * An external sorter: bounded memory, sorted runs spilled to disk, merged on read.
 */
package dev.tessera.offline.sort;
