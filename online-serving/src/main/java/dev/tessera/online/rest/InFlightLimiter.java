package dev.tessera.online.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.errors.ErrorCode;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds the requests in flight on {@code /v1}: when {@code tessera.online.max-in-flight} are
 * being served, the next one is answered at once with 503 and {@code Retry-After: 1} instead of
 * queueing (the caller, or the SDK, backs off). Runs on the HTTP router before the REST layer.
 */
@ApplicationScoped
public class InFlightLimiter {
  @Inject ServiceLifecycle lifecycle;
  @Inject ObjectMapper json;

  void install(@Observes Router router) throws JsonProcessingException {
    String overloaded = json.writeValueAsString(ErrorBody.of(ErrorCode.OVERLOADED, "Too many requests in flight; retry after 1 s"));
    router.route("/v1/*").order(-1000).handler(rc -> {
      Semaphore permits = lifecycle.limiter();
      if (!permits.tryAcquire()) {
        rc.response().setStatusCode(ErrorCode.OVERLOADED.httpStatus()).putHeader("Retry-After", "1")
            .putHeader("Content-Type", "application/json").end(overloaded);
        return;
      }
      // released exactly once, however the exchange ends: answered, failed, or the connection closed
      AtomicBoolean released = new AtomicBoolean();
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
