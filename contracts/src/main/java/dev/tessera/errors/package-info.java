/**
 * The one error model: {@link dev.tessera.errors.TesseraException} with an {@link
 * dev.tessera.errors.ErrorCode} whose kind decides exit codes, HTTP statuses and retries
 * everywhere.
 */
package dev.tessera.errors;
