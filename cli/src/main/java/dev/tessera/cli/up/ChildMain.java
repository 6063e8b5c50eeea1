package dev.tessera.cli.up;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of the child JVMs of {@code tessera up} (the Kafka broker): runs the real main class
 * given as the first argument, and exits when its parent dies (standard input, a pipe from the
 * parent, reaches end of file), so a killed {@code up} leaves no orphan.
 */
public final class ChildMain {
  private ChildMain() {}

  public static void main(String[] args) throws Exception {
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // the parent writes nothing; EOF means it is gone
        }
      } catch (java.io.IOException e) {
        // same: the pipe is gone
      }
      System.exit(0); // runs the child's own shutdown hooks (the broker closes cleanly)
    }, "tessera-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Method main = Class.forName(args[0]).getMethod("main", String[].class);
    main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
  }
}
