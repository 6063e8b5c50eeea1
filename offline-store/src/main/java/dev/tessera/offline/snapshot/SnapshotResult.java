package dev.tessera.offline.snapshot;

import java.nio.file.Path;

/** A finished snapshot: where its rows and its manifest are. */
public record SnapshotResult(String output, Path manifestPath, SnapshotManifest manifest) {}
