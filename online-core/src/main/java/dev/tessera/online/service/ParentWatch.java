package dev.tessera.online.service;

/**
 * With {@code -Dtessera.exit-with-parent=true} (how {@code tessera up} starts its services), a
 * service stops when its parent dies: standard input is a pipe from the parent, and end of file
 * means it is gone. No orphan keeps the port, the RocksDB lock or the model's resources.
 */
public final class ParentWatch {
  private ParentWatch() {}

  /** Runs {@code exit} once the parent is gone, when the property asks for it; returns at once. */
  public static void start(Runnable exit) {
    if (!Boolean.getBoolean("tessera.exit-with-parent")) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // nothing is written; EOF is the signal
        }
      } catch (java.io.IOException e) {
        // the pipe is gone: same
      }
      exit.run();
    }, "tessera-parent-watch");
    t.setDaemon(true);
    t.start();
  }
}
