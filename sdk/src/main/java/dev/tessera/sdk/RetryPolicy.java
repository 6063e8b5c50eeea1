package dev.tessera.sdk;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Retries of transient failures only (503, connection refused or reset, timeouts): exponential
 * backoff with full jitter, at least the server's {@code Retry-After}.
 *
 * @param maxRetries retries after the first attempt (0: none)
 * @param baseBackoff the backoff ceiling of the first retry; doubled per retry
 * @param maxBackoff the largest backoff
 */
public record RetryPolicy(int maxRetries, Duration baseBackoff, Duration maxBackoff) {
  public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(50), Duration.ofSeconds(2));
  public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ZERO, Duration.ZERO);

  public RetryPolicy {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries is " + maxRetries + ", expected >= 0");
    }
  }

  /** The wait before retry {@code attempt} (1-based): random in [0, min(max, base * 2^(attempt-1))], at least {@code retryAfter}. */
  public Duration backoff(int attempt, Duration retryAfter) {
    long ceiling = Math.min(maxBackoff.toMillis(), baseBackoff.toMillis() << Math.min(20, attempt - 1));
    long jittered = ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
    long floor = retryAfter == null ? 0 : retryAfter.toMillis();
    return Duration.ofMillis(Math.max(jittered, floor));
  }
}
