/** The model service config: {@link dev.tessera.model.config.ModelConfigParser} reads it, {@link dev.tessera.model.config.ModelConfigCheck} checks it against the contracts. */
package dev.tessera.model.config;
