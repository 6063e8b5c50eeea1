/** {@code tessera model}: serve a model with the model service template, promote its candidate, roll back, show its state. */
package dev.tessera.cli.model;
