package dev.tessera.online.rest;

import dev.tessera.config.OnlineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;

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
  private final Map<String, String> consumerByHash = new HashMap<>();

  public AccessControl(TesseraConfig config) {
    this.enabled = config.get(OnlineOptions.AUTH_ENABLED);
    String spec = config.find(OnlineOptions.API_KEYS).orElse("");
    for (String entry : spec.split(",")) {
      String e = entry.trim();
      if (e.isEmpty()) {
        continue;
      }
      int colon = e.indexOf(':');
      if (colon <= 0 || colon == e.length() - 1) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read config key '" + OnlineOptions.API_KEYS.key()
            + "': entry '" + redact(e) + "' is not consumer:key or consumer:sha256:<hex>");
      }
      String consumer = e.substring(0, colon);
      String key = e.substring(colon + 1);
      String hash = key.startsWith("sha256:") ? key.substring(7).toLowerCase(java.util.Locale.ROOT) : sha256(key);
      if (hash.length() != 64) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read config key '" + OnlineOptions.API_KEYS.key()
            + "': the sha256 of consumer '" + consumer + "' has " + hash.length() + " hex digits, expected 64");
      }
      consumerByHash.put(hash, consumer);
    }
  }

  public boolean enabled() {
    return enabled;
  }

  public int keys() {
    return consumerByHash.size();
  }

  /** The consumer of {@code apiKey}; UNAUTHENTICATED when missing or unknown (null when access control is off). */
  public String authenticate(String apiKey) {
    if (!enabled) {
      return null;
    }
    if (apiKey == null || apiKey.isBlank()) {
      throw new TesseraException(ErrorCode.UNAUTHENTICATED, "Missing API key: send it in the " + HEADER + " header");
    }
    String consumer = consumerByHash.get(sha256(apiKey.trim()));
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
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String redact(String entry) {
    int colon = entry.indexOf(':');
    return colon < 0 ? entry.replaceAll(".", "*") : entry.substring(0, colon + 1) + "***";
  }
}
