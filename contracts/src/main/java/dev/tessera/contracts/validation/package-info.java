/**
 * Cross-field rules of a contract (aggregate functions and types, windows, keys, quality rules),
 * checked after parsing.
 */
package dev.tessera.contracts.validation;
