package dev.tessera.online.rest;

import dev.tessera.config.OnlineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.online.service.OnlineService;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Builds the {@link OnlineService} at start-up from the Tessera configuration, resolved as every
 * entry point resolves it ({@link TesseraConfig#resolve}: the shared file, environment variables
 * and system properties of known keys), with the {@code tessera.*} values Quarkus knows from its
 * own sources on top (application.properties, test profiles); an unknown {@code tessera.*} key in
 * any of them fails start-up with a did-you-mean. Closes the service on shutdown.
 */
@Startup
@ApplicationScoped
public class ServiceLifecycle {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServiceLifecycle.class);

  private final OnlineService service;
  private final AccessControl access;
  private final Semaphore limiter;
  private final BufferAllocator allocator = new RootAllocator();

  /** System properties of the JVM, not configuration keys. */
  private static final Set<String> JVM_KEYS = Set.of("tessera.home", "tessera.config", "tessera.exit-with-parent", "tessera.root");

  @Inject
  public ServiceLifecycle(Config mp, MeterRegistry meters) {
    Map<String, String> fromQuarkus = new HashMap<>();
    for (ConfigSource source : mp.getConfigSources()) {
      if (source.getName().startsWith("EnvConfigSource")) {
        continue; // environment variables of known keys are read by TesseraConfig.resolve; others are not ours to judge
      }
      for (String name : source.getPropertyNames()) {
        if (name.startsWith("tessera.") && !JVM_KEYS.contains(name)) {
          mp.getOptionalValue(name, String.class).ifPresent(v -> fromQuarkus.put(name, v));
        }
      }
    }
    TesseraConfig config = TesseraConfig.resolve(null, null, fromQuarkus);
    this.access = new AccessControl(config);
    if (!access.enabled()) {
      LOG.warn("Access control is disabled (tessera.online.auth.enabled=false): every caller reads every feature set");
    } else if (access.keys() == 0) {
      LOG.warn("No API keys configured (tessera.online.api-keys): every /v1 request will be answered 401");
    }
    this.limiter = new Semaphore(config.get(OnlineOptions.MAX_IN_FLIGHT));
    this.service = new OnlineService(config, meters).start();
  }

  public AccessControl access() {
    return access;
  }

  /** Permits of requests in flight; {@link InFlightLimiter} answers 503 when none is left. */
  public Semaphore limiter() {
    return limiter;
  }

  public OnlineService service() {
    return service;
  }

  public BufferAllocator allocator() {
    return allocator;
  }

  void stop(@Observes ShutdownEvent event) {
    service.close();
    allocator.close();
  }
}
