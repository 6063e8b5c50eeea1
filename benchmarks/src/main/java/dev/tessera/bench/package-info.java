/**
 * Benchmarks, each measured against an anchor in the same run ({@code bench/run <name>}); compiled
 * with the build, never run as tests.
 */
package dev.tessera.bench;
