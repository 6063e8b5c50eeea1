package dev.tessera.online.ui;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sign-ins of the catalog UI. Signing in with an API key starts a session: a random id in an
 * HttpOnly, SameSite=Strict cookie scoped to {@code /ui}, mapped here to the key's consumer (the
 * key itself is not kept: the consumer is what every page checks). Sessions live in this replica's
 * memory for 8 hours after their last use; a restart signs everyone out.
 */
@ApplicationScoped
public class UiSessions {
  static final String COOKIE = "tessera_ui";
  static final long IDLE_MILLIS = 8 * 3_600_000L;
  private static final int MAX_SESSIONS = 10_000;

  /** A signed-in browser: the consumer its key belongs to. */
  record Session(String consumer, long lastUsed) {}

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  /** A new session for {@code consumer}; returns its id. */
  String start(String consumer) {
    long now = System.currentTimeMillis();
    if (sessions.size() >= MAX_SESSIONS) {
      sessions.entrySet().removeIf(e -> e.getValue().lastUsed() < now - IDLE_MILLIS);
    }
    byte[] id = new byte[32];
    random.nextBytes(id);
    String hex = HexFormat.of().formatHex(id);
    sessions.put(hex, new Session(consumer, now));
    return hex;
  }

  /** The consumer of session {@code id}, if it is live; touching it. */
  Optional<String> consumer(String id) {
    if (id == null) {
      return Optional.empty();
    }
    long now = System.currentTimeMillis();
    Session s = sessions.computeIfPresent(id, (k, v) -> v.lastUsed() < now - IDLE_MILLIS ? null : new Session(v.consumer(), now));
    return s == null ? Optional.empty() : Optional.of(s.consumer());
  }

  void end(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }
}
