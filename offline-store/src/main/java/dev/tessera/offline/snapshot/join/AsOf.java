package dev.tessera.offline.snapshot.join;

import java.util.function.ToLongFunction;

/**
 * The point-in-time rule, the one both join engines apply to one key: a spine row at {@code ts}
 * gets the latest table row with {@code event_time <= ts}, unless that row is older than the TTL
 * ({@code ts - event_time > ttl}); nothing from after {@code ts} can answer. Rows are offered in
 * time order while {@link #notAfter} holds, then {@link #answer} gives the match.
 */
final class AsOf<R> {
  private final Long ttl;
  private final ToLongFunction<R> time;
  private R latest;

  /** @param ttl the feature set's TTL in milliseconds, null for none */
  AsOf(Long ttl, ToLongFunction<R> time) {
    this.ttl = ttl;
    this.time = time;
  }

  /** Starts over, for the next key. */
  void reset() {
    latest = null;
  }

  /** Whether {@code row} (the key's next in time order) may answer a spine row at {@code ts}: it is not after it. */
  boolean notAfter(R row, long ts) {
    return time.applyAsLong(row) <= ts;
  }

  /** The key's latest row so far; call in time order, for rows {@link #notAfter} the spine time. */
  void offer(R row) {
    latest = row;
  }

  /** The key's latest row so far, or null. */
  R latest() {
    return latest;
  }

  /** The row that answers a spine row at {@code ts}, or null: none yet, or the latest is older than the TTL. */
  R answer(long ts) {
    return latest != null && (ttl == null || ts - time.applyAsLong(latest) <= ttl) ? latest : null;
  }
}
