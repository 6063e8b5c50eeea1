/** {@code tessera dlq}: what the dead-letter queues hold (list, show). */
package dev.tessera.cli.dlq;
