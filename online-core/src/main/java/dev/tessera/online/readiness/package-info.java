/**
 * Whether a replica may answer: caught up with the changelog as of its start; and the changelog
 * lag.
 */
package dev.tessera.online.readiness;
