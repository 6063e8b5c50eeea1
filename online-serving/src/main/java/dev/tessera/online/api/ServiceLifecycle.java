package dev.tessera.online.api;

import dev.tessera.config.ConfigOption;
import dev.tessera.config.CoreOptions;
import dev.tessera.config.OnlineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.TesseraException;
import dev.tessera.online.service.OnlineService;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.eclipse.microprofile.config.Config;

/**
 * Builds the {@link OnlineService} at start-up from the Tessera options found in the MicroProfile
 * config (the Tessera file, environment, system properties, application.properties) and closes it
 * on shutdown. Unknown {@code tessera.online.*} keys fail start-up with a did-you-mean.
 */
@Startup
@ApplicationScoped
public class ServiceLifecycle {
  /** Keys this service reads; other modules' sections of the shared file are theirs to check. */
  static final List<ConfigOption<?>> OPTIONS;

  static {
    List<ConfigOption<?>> all = new ArrayList<>(CoreOptions.ALL);
    all.addAll(OnlineOptions.ALL);
    OPTIONS = List.copyOf(all);
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServiceLifecycle.class);

  private final OnlineService service;
  private final AccessControl access;
  private final java.util.concurrent.Semaphore limiter;
  private final BufferAllocator allocator = new RootAllocator();

  @Inject
  public ServiceLifecycle(Config mp, MeterRegistry meters) {
    Map<String, String> values = new HashMap<>();
    for (ConfigOption<?> o : OPTIONS) {
      mp.getOptionalValue(o.key(), String.class).ifPresent(v -> values.put(o.key(), v));
    }
    TesseraConfig config = TesseraConfig.defaults(TesseraConfigSource.home(), values);
    List<ConfigOption<?>> known = new ArrayList<>(OPTIONS);
    Map<String, String> online = new HashMap<>();
    for (org.eclipse.microprofile.config.spi.ConfigSource source : mp.getConfigSources()) {
      if (source.getName().startsWith("EnvConfigSource")) {
        continue; // TESSERA_ONLINE_API_KEYS is read as tessera.online.api-keys, but listed as tessera.online.api.keys
      }
      for (String name : source.getPropertyNames()) {
        if (name.startsWith("tessera.online.")) {
          online.put(name, "");
        }
      }
    }
    List<String> unknown = TesseraConfig.defaults(TesseraConfigSource.home(), online).unknownKeys(known);
    if (!unknown.isEmpty()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, String.join("\n", unknown));
    }
    this.access = new AccessControl(config);
    if (!access.enabled()) {
      LOG.warn("Access control is disabled (tessera.online.auth.enabled=false): every caller reads every feature set");
    } else if (access.keys() == 0) {
      LOG.warn("No API keys configured (tessera.online.api-keys): every /v1 request will be answered 401");
    }
    this.limiter = new java.util.concurrent.Semaphore(config.get(OnlineOptions.MAX_IN_FLIGHT));
    this.service = new OnlineService(config, meters).start();
  }

  public AccessControl access() {
    return access;
  }

  /** Permits of requests in flight; {@link InFlightLimiter} answers 503 when none is left. */
  public java.util.concurrent.Semaphore limiter() {
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
