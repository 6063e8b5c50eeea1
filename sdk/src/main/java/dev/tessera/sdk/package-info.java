/**
 * The Java SDK for model teams: the online client (JSON and Arrow, typed errors, retries) and the
 * batcher for inference services.
 */
package dev.tessera.sdk;
