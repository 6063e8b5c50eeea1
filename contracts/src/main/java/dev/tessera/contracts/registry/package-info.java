/**
 * A directory of contracts, loaded and checked together (unique names, one version per major).
 */
package dev.tessera.contracts.registry;
