package dev.tessera.model.rest;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * With {@code -Dtessera.exit-with-parent=true} (how {@code tessera up --models} starts the service),
 * the service stops when its parent dies: standard input is a pipe from the parent, and end of file
 * means it is gone (as online-serving's watch does).
 */
@ApplicationScoped
public class ParentWatch {
  void start(@Observes StartupEvent event) {
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
      Quarkus.asyncExit();
    }, "tessera-parent-watch");
    t.setDaemon(true);
    t.start();
  }
}
