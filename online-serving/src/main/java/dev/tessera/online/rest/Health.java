package dev.tessera.online.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: the store has caught up with the changelog end offsets as of start-up. Liveness: the materializer runs. */
public final class Health {
  private Health() {}

  @Readiness
  @ApplicationScoped
  public static class ChangelogCaughtUp implements HealthCheck {
    @Inject ServiceLifecycle lifecycle;

    @Override
    public HealthCheckResponse call() {
      var service = lifecycle.service();
      var readiness = service.readiness();
      var r = HealthCheckResponse.named("online-store-caught-up");
      if (readiness.ready()) {
        return r.up().withData("ready_at_ms", readiness.readyAtMillis()).withData("applied_records", service.appliedRecords()).build();
      }
      return r.down().withData("reason", readiness.notReadyReason()).build();
    }
  }

  @Liveness
  @ApplicationScoped
  public static class MaterializerAlive implements HealthCheck {
    @Inject ServiceLifecycle lifecycle;

    @Override
    public HealthCheckResponse call() {
      return HealthCheckResponse.named("changelog-materializer").status(lifecycle.service().live()).build();
    }
  }
}
