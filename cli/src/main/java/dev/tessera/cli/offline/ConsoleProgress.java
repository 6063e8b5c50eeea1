package dev.tessera.cli.offline;

import dev.tessera.offline.snapshot.ProgressListener;
import java.io.PrintWriter;

/** Prints progress to stderr, one line per update (updates come every 100k rows or so). */
final class ConsoleProgress implements ProgressListener {
  private final PrintWriter err;
  private final long started = System.nanoTime();

  ConsoleProgress(PrintWriter err) {
    this.err = err;
  }

  @Override
  public void update(String phase, long done, long total) {
    double seconds = (System.nanoTime() - started) / 1e9;
    if (total > 0) {
      err.printf("  %-40s %,d / %,d (%d%%)  %.1fs%n", phase, done, total, done * 100 / total, seconds);
    } else {
      err.printf("  %-40s %,d  %.1fs%n", phase, done, seconds);
    }
    err.flush();
  }
}
