package dev.tessera.online.rest;

import dev.tessera.config.ApiKeys;
import dev.tessera.config.OnlineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;

/**
 * API keys ({@code X-API-Key}) mapped to consumer names in config
 * ({@code tessera.online.api-keys=consumer:key,consumer:sha256:<hex>}). A consumer reads only the
 * feature sets whose contract lists it under {@code consumers}; consumer {@code *} reads all. No
 * or an unknown key is 401, a known key on a feature set it does not consume is 403. Keys are held
 * as SHA-256 hashes only.
 */
public final class AccessControl {
  public static final String HEADER = "X-API-Key";
  public static final String ANY = "*";

  private final boolean enabled;
  private final ApiKeys keys;

  public AccessControl(TesseraConfig config) {
    this.enabled = config.get(OnlineOptions.AUTH_ENABLED);
    this.keys = ApiKeys.parse(OnlineOptions.API_KEYS.key(), config.find(OnlineOptions.API_KEYS).orElse(""));
  }

  public boolean enabled() {
    return enabled;
  }

  public int keys() {
    return keys.size();
  }

  /** The consumer of {@code apiKey}; UNAUTHENTICATED when missing or unknown (null when access control is off). */
  public String authenticate(String apiKey) {
    if (!enabled) {
      return null;
    }
    if (apiKey == null || apiKey.isBlank()) {
      throw new TesseraException(ErrorCode.UNAUTHENTICATED, "Missing API key: send it in the " + HEADER + " header");
    }
    String consumer = keys.consumer(apiKey).orElse(null);
    if (consumer == null) {
      throw new TesseraException(ErrorCode.UNAUTHENTICATED, "Unknown API key in the " + HEADER + " header");
    }
    return consumer;
  }

  /** FORBIDDEN unless {@code consumer} is listed by {@code contract} (or is {@code *}, or access control is off). */
  public void authorize(String consumer, FeatureSetContract contract) {
    if (!mayRead(consumer, contract)) {
      throw new TesseraException(ErrorCode.FORBIDDEN, "Consumer '" + consumer + "' may not read feature set '" + contract.name()
          + "': its contract lists consumers " + contract.consumers().stream().map(c -> c.name()).toList()
          + "; ask " + contract.owner().team() + " (" + contract.owner().email() + ") to add it in a contract pull request");
    }
  }

  public boolean mayRead(String consumer, FeatureSetContract contract) {
    return !enabled || ANY.equals(consumer) || contract.consumers().stream().anyMatch(c -> c.name().equals(consumer));
  }

  static String sha256(String key) {
    return ApiKeys.sha256(key);
  }
}
