/**
 * {@code tessera audit}: online values against the latest offline rows (training/serving skew).
 */
package dev.tessera.cli.audit;
