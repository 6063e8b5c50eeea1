/**
 * The YAML contract parser: every field read with its line and column, every problem reported at
 * its position.
 */
package dev.tessera.contracts.parser;
