/**
 * {@code tessera deploy render}: what a platform applies in production, rendered from the
 * contracts. Today: SLA alert rules per feature set major ({@link AlertRules}, Prometheus rule
 * files and {@code PrometheusRule} objects) and a Grafana dashboard ({@link Dashboard}).
 */
package dev.tessera.cli.deploy;
