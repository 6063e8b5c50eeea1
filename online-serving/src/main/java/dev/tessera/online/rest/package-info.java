/**
 * The HTTP layer (Quarkus), thin: requests in, one service call, response records out; errors,
 * access control, the in-flight limit, health and configuration.
 */
package dev.tessera.online.rest;
