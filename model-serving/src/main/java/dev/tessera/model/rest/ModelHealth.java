package dev.tessera.model.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the model is loaded (it is, once the service listens) and its features can be read: the online service answers ready, or the embedded store has caught up. */
@Readiness
@ApplicationScoped
public class ModelHealth implements HealthCheck {
  @Inject ModelServer server;

  @Override
  public HealthCheckResponse call() {
    var d = server.runtime().deployment().get();
    var r = HealthCheckResponse.named("model-and-features").withData("model", server.runtime().config().name())
        .withData("version", d.primary().version().toString()).withData("provider", server.runtime().config().runtime().provider().yamlName());
    return server.features().ready() ? r.up().build() : r.down().withData("reason", server.runtime().config().features()
        == dev.tessera.model.config.ModelConfig.FeaturesMode.EMBEDDED ? "the embedded store has not caught up with the changelogs"
        : "the online feature service is not ready").build();
  }
}
