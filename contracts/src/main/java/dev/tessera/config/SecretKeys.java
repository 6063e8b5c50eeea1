package dev.tessera.config;

import java.util.Locale;

/**
 * Which configuration keys hold secrets, by name: whatever shows configuration (logs, errors,
 * {@code KafkaClients.describe}) masks their values, and {@code tessera deploy render} never writes
 * them into a ConfigMap (they become Secret references). Keys naming a password, secret, token,
 * credential, JAAS configuration or API key, or ending in {@code .key} (a private key).
 */
public final class SecretKeys {
  private SecretKeys() {}

  public static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("secret") || k.contains("token") || k.contains("credential") || k.contains("jaas")
        || k.contains("api-key") || k.endsWith(".key");
  }

  /** {@code value}, or {@code ***} when {@code key} holds a secret. */
  public static String masked(String key, String value) {
    return isSecret(key) ? "***" : value;
  }
}
