package dev.tessera.cli.up;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Keeps one child process of {@code tessera up} running: when it exits on its own (a crash, a
 * kill), it is started again after a backoff (1 s, doubling up to 30 s; back to 1 s once a child
 * stayed up a minute), and a status line says so. The rest of the stack keeps running meanwhile:
 * the ingest job's Kafka clients reconnect to a restarted broker, and a restarted service resumes
 * from the offsets stored with its data.
 */
final class ChildSupervisor implements AutoCloseable {
  /** A running child. */
  interface Child {
    boolean alive();

    /** Stops it (and waits for it). */
    void stop() throws Exception;
  }

  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  static final Duration HEALTHY = Duration.ofMinutes(1);

  private final String name;
  private final Callable<Child> start;
  private final Consumer<String> status;
  private final String logHint;
  private volatile Child child;
  private volatile boolean closing;
  private volatile int restarts;
  private Thread watcher;

  /** @param start starts the child and waits until it is ready (throws when it cannot) */
  ChildSupervisor(String name, Callable<Child> start, Consumer<String> status, String logHint) {
    this.name = name;
    this.start = start;
    this.status = status;
    this.logHint = logHint;
  }

  /** Starts the child (blocking until ready), then watches it. */
  ChildSupervisor start() throws Exception {
    child = start.call();
    watcher = new Thread(this::watch, "tessera-up-supervisor-" + name);
    watcher.setDaemon(true);
    watcher.start();
    return this;
  }

  private void watch() {
    Duration backoff = FIRST_BACKOFF;
    long upSince = System.nanoTime();
    while (!closing) {
      try {
        Thread.sleep(250);
        Child c = child;
        if (c.alive() || closing) {
          if (System.nanoTime() - upSince > HEALTHY.toNanos()) {
            backoff = FIRST_BACKOFF;
          }
          continue;
        }
        status.accept(String.format("  %-9s exited unexpectedly; restarting in %d s (see %s)", name, backoff.toSeconds(), logHint));
        Thread.sleep(backoff.toMillis());
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        if (closing) {
          return;
        }
        long t = System.nanoTime();
        try {
          child = start.call();
          restarts++;
          upSince = System.nanoTime();
          status.accept(String.format("  %-9s restarted in %.1f s (restart %d)", name, (System.nanoTime() - t) / 1e9, restarts));
        } catch (Exception e) {
          status.accept(String.format("  %-9s could not restart: %s", name, e.getMessage()));
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  Child child() {
    return child;
  }

  int restarts() {
    return restarts;
  }

  @Override
  public void close() throws Exception {
    closing = true;
    if (watcher != null) {
      watcher.interrupt();
      watcher.join(5_000);
    }
    Child c = child;
    if (c != null) {
      c.stop();
    }
  }
}
