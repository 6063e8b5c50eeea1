package dev.tessera.model.predict;

import dev.tessera.model.config.ModelConfig;
import java.util.List;
import java.util.Locale;

/** The promotion gates of a model config, read against a candidate's statistics. */
public final class Gates {
  private Gates() {}

  /** One gate: what was measured, what it allows, whether it passed, in words. */
  public record Gate(String name, double value, double limit, boolean passed, String message) {}

  public static List<Gate> check(VersionStats.Snapshot s, ModelConfig.Promotion p, String output) {
    double maxP99 = p.maxP99().toNanos() / 1e6;
    boolean enough = s.requests() >= p.minRequests();
    boolean fast = !Double.isNaN(s.p99Millis()) && s.p99Millis() <= maxP99;
    boolean agrees = !Double.isNaN(s.disagreement()) && s.disagreement() <= p.maxDisagreement();
    return List.of(
        new Gate("minRequests", s.requests(), p.minRequests(), enough,
            "requests: " + s.requests() + " scored, the gate needs " + p.minRequests()),
        new Gate("maxP99", s.p99Millis(), maxP99, fast, Double.isNaN(s.p99Millis()) ? "p99 latency: not measured yet (no request scored)"
            : String.format(Locale.ROOT, "p99 latency: %.2f ms, the gate allows %.2f ms", s.p99Millis(), maxP99)),
        new Gate("maxDisagreement", s.disagreement(), p.maxDisagreement(), agrees, Double.isNaN(s.disagreement())
            ? "disagreement with the primary: not measured yet (no entity scored by both)"
            : String.format(Locale.ROOT, "disagreement (mean |candidate - primary| of output '%s'): %.4f, the gate allows %.4f", output,
                s.disagreement(), p.maxDisagreement())));
  }
}
