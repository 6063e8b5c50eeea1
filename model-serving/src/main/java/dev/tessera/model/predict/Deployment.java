package dev.tessera.model.predict;

import dev.tessera.model.config.ModelConfig;

/**
 * Which version answers: the primary; a candidate beside it (shadow: scored and logged, never
 * returned; canary: answers {@code weight} of the requests); and, after a promotion, the
 * deployment it replaced, which a rollback restores. Immutable: a swap replaces the whole value
 * in one atomic reference, and each batch reads it once, so no request sees half a swap.
 */
public record Deployment(ModelVersion primary, ModelVersion candidate, ModelConfig.Mode mode, double weight, Deployment previous) {
  /** Whether the request with id {@code requestId} is answered by the canary: a stable hash of the id against the weight. */
  public boolean canary(String requestId) {
    if (candidate == null || mode != ModelConfig.Mode.CANARY) {
      return false;
    }
    long h = requestId.hashCode() * 0x9E3779B97F4A7C15L;
    double u = ((h ^ (h >>> 29)) & ((1L << 53) - 1)) / (double) (1L << 53);
    return u < weight;
  }

  /** The candidate promoted: it answers everything, and this deployment is kept for a rollback. */
  public Deployment promoted() {
    return new Deployment(candidate, null, null, 0, this);
  }

  /** What a state name says ({@code promoted} or {@code configured}). */
  public String state() {
    return previous != null ? "promoted" : "configured";
  }
}
