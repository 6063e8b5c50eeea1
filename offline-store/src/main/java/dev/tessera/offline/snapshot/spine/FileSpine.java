package dev.tessera.offline.snapshot.spine;

import java.nio.file.Path;

/** A spine read from a local file: located and hashed by its path and bytes. */
public abstract class FileSpine implements Spine {
  protected final Path file;

  FileSpine(Path file) {
    this.file = file.toAbsolutePath().normalize();
  }

  @Override
  public String location() {
    return file.toString();
  }

  @Override
  public Long snapshotId() {
    return null;
  }

  @Override
  public String sha256() {
    return Hashing.sha256(file);
  }
}
