/**
 * The contract model: {@link dev.tessera.contracts.model.FeatureSetContract} and its parts
 * (features, aggregates, source, SLA, owners, consumers), versions, durations, feature references
 * and contract problems.
 */
package dev.tessera.contracts.model;
