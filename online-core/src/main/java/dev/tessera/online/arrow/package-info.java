/**
 * Arrow IPC: lookup answers decoded straight into vectors, and key batches as request bodies.
 */
package dev.tessera.online.arrow;
