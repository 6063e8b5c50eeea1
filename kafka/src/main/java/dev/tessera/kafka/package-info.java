/**
 * What every component does with Kafka, once: topics, schema records on the changelog, and
 * acknowledged ordered publishing, and reading a dead-letter topic back.
 */
package dev.tessera.kafka;
