/**
 * What every component does with Kafka, once: topics, schema records on the changelog, and
 * acknowledged ordered publishing.
 */
package dev.tessera.kafka;
