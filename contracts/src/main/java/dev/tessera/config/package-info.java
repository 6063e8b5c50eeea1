/**
 * Tessera's one configuration: every component's typed keys and {@link
 * dev.tessera.config.TesseraConfig#resolve}, the one way every entry point finds and checks them.
 */
package dev.tessera.config;
