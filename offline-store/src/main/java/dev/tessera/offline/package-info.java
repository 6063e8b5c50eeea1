/**
 * The offline store: Iceberg tables of final feature rows and source events, and training
 * snapshots; where its Flink jobs run ({@link dev.tessera.offline.FlinkClusters}).
 */
package dev.tessera.offline;
