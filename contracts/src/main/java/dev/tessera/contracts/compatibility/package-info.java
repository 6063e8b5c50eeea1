/**
 * What a contract change is: each change classified with the semver bump it requires, and the
 * pull-request check over two directories of contracts.
 */
package dev.tessera.contracts.compatibility;
