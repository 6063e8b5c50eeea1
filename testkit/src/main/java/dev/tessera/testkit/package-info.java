/**
 * Test fixtures every module's tests share: an embedded Kafka broker with a checked producer,
 * changelog seeding and reading, a brute-force window reference, edited example contracts.
 */
package dev.tessera.testkit;
