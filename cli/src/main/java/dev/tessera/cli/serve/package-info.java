/**
 * {@code tessera serve}: the online service as a child JVM, and the one way to start it and wait
 * for it ({@link dev.tessera.online.launch.ServiceProcess}).
 */
package dev.tessera.cli.serve;
