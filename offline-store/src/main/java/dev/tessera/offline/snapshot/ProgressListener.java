package dev.tessera.offline.snapshot;

/** Progress of a long snapshot run; {@code total} is -1 when unknown. */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = (phase, done, total) -> {};

  void update(String phase, long done, long total);
}
