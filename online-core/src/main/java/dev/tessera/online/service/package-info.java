/**
 * The online service without HTTP: its parts put together from configuration, started and stopped
 * in order.
 */
package dev.tessera.online.service;
