/**
 * The online service as a child JVM, started and awaited the one way {@code tessera serve}, {@code
 * tessera up}, the benchmarks and the tests do; it needs only the JDK, so the CLI can use it without
 * the service's libraries on its class path.
 */
package dev.tessera.online.launch;
