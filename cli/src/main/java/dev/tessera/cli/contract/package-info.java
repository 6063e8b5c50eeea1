/**
 * {@code tessera contract validate|diff|check|schema}: contracts as files, and the pull-request
 * check.
 */
package dev.tessera.cli.contract;
