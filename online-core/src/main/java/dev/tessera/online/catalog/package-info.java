/**
 * The catalog of served feature sets (typed views of their contracts) and their live numbers, kept
 * once for the catalog and the metrics.
 */
package dev.tessera.online.catalog;
