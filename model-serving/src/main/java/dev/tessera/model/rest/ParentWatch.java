package dev.tessera.model.rest;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Stops the service when its parent (`tessera up`) dies, with {@code -Dtessera.exit-with-parent=true} (online-core's {@link dev.tessera.online.service.ParentWatch}). */
@ApplicationScoped
public class ParentWatch {
  void start(@Observes StartupEvent event) {
    dev.tessera.online.service.ParentWatch.start(Quarkus::asyncExit);
  }
}
