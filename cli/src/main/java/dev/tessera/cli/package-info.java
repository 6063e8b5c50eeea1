/**
 * The {@code tessera} command line: its entry point ({@link dev.tessera.cli.Main}, the one error
 * handler and exit codes) and what commands share ({@link dev.tessera.cli.CliContext}).
 */
package dev.tessera.cli;
