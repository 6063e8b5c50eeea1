package dev.tessera.cli.serve;

/** A service process run in the foreground of the CLI: waited for, and stopped with the CLI (Ctrl-C, SIGTERM). */
public final class Foreground {
  private Foreground() {}

  /** Waits for {@code p}; stops it if the CLI stops first. Its exit status. */
  public static int run(Process p) throws InterruptedException {
    Thread stop = new Thread(() -> {
      p.destroy();
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Runtime.getRuntime().addShutdownHook(stop);
    int rc = p.waitFor();
    Runtime.getRuntime().removeShutdownHook(stop);
    return rc;
  }
}
