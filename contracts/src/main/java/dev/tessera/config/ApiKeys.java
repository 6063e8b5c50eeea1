package dev.tessera.config;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * API keys mapped to consumer names, as the services' configs list them: {@code
 * consumer:key,consumer:sha256:<hex>}. Keys are held as SHA-256 hashes only; an entry that cannot
 * be read is an error naming the config key, never echoing the secret.
 */
public final class ApiKeys {
  private final Map<String, String> consumerByHash = new HashMap<>();

  private ApiKeys() {}

  /** The keys of {@code spec} (null or blank: none), read for config key {@code configKey}. */
  public static ApiKeys parse(String configKey, String spec) {
    ApiKeys keys = new ApiKeys();
    for (String entry : (spec == null ? "" : spec).split(",")) {
      String e = entry.trim();
      if (e.isEmpty()) {
        continue;
      }
      int colon = e.indexOf(':');
      if (colon <= 0 || colon == e.length() - 1) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read config key '" + configKey
            + "': entry '" + redact(e) + "' is not consumer:key or consumer:sha256:<hex>");
      }
      String consumer = e.substring(0, colon);
      String key = e.substring(colon + 1);
      String hash = key.startsWith("sha256:") ? key.substring(7).toLowerCase(java.util.Locale.ROOT) : sha256(key);
      if (hash.length() != 64) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read config key '" + configKey
            + "': the sha256 of consumer '" + consumer + "' has " + hash.length() + " hex digits, expected 64");
      }
      keys.consumerByHash.put(hash, consumer);
    }
    return keys;
  }

  /** The consumer of {@code apiKey}, if it is one of these keys. */
  public Optional<String> consumer(String apiKey) {
    return apiKey == null ? Optional.empty() : Optional.ofNullable(consumerByHash.get(sha256(apiKey.trim())));
  }

  public int size() {
    return consumerByHash.size();
  }

  public static String sha256(String key) {
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
