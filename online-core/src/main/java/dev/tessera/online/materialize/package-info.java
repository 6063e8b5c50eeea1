/**
 * The changelog into the online store, offsets stored with the data, on a supervised thread.
 */
package dev.tessera.online.materialize;
