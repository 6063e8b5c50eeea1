package dev.tessera.online.api;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.Semaphore;

/**
 * Bounds the requests in flight on {@code /v1}: when {@code tessera.online.max-in-flight} are
 * being served, the next one is answered at once with 503 and {@code Retry-After: 1} instead of
 * queueing (the caller, or the SDK, backs off). Runs on the HTTP router before the REST layer.
 */
@ApplicationScoped
public class InFlightLimiter {
  static final String BODY = "{\"error\":{\"code\":\"OVERLOADED\",\"message\":\"Too many requests in flight; retry after 1 s\"}}";

  @Inject ServiceLifecycle lifecycle;

  void install(@Observes Router router) {
    router.route("/v1/*").order(-1000).handler(rc -> {
      Semaphore permits = lifecycle.limiter();
      if (!permits.tryAcquire()) {
        rc.response().setStatusCode(503).putHeader("Retry-After", "1").putHeader("Content-Type", "application/json").end(BODY);
        return;
      }
      // released exactly once, however the exchange ends: answered, failed, or the connection closed
      java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
      Runnable release = () -> {
        if (released.compareAndSet(false, true)) {
          permits.release();
        }
      };
      rc.addEndHandler(done -> release.run());
      rc.addBodyEndHandler(done -> release.run());
      rc.response().closeHandler(done -> release.run());
      rc.next();
    });
  }
}
