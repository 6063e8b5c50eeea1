package dev.tessera.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.model.SemVer;
import dev.tessera.model.config.ModelConfig;
import dev.tessera.model.predict.Deployment;
import dev.tessera.model.predict.Gates;
import dev.tessera.model.predict.ModelVersion;
import dev.tessera.model.predict.VersionStats;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Canary routing by request id, promotion and rollback as values, and the gates read against statistics. */
class DeploymentTest {
  static ModelVersion version(String v) {
    return new ModelVersion(SemVer.tryParse(v).orElseThrow(), v + ".onnx", null);
  }

  @Test
  void aCanaryAnswersItsWeightOfRequestsAndTheSameIdAlwaysLandsTheSame() {
    Deployment d = new Deployment(version("1.0.0"), version("1.1.0"), ModelConfig.Mode.CANARY, 0.1, null);
    int n = 100_000;
    int canary = 0;
    for (int i = 0; i < n; i++) {
      canary += d.canary("req-" + i) ? 1 : 0;
    }
    assertThat(canary).isBetween(9_000, 11_000); // 10% of 100k, sd 95
    assertThat(d.canary("req-42")).isEqualTo(d.canary("req-42"));
    Deployment shadow = new Deployment(version("1.0.0"), version("1.1.0"), ModelConfig.Mode.SHADOW, 0, null);
    assertThat(shadow.canary("req-1")).isFalse();
  }

  @Test
  void promotionKeepsThePreviousDeploymentForARollback() {
    Deployment d = new Deployment(version("1.0.0"), version("1.1.0"), ModelConfig.Mode.CANARY, 0.2, null);
    Deployment p = d.promoted();
    assertThat(p.primary().version().toString()).isEqualTo("1.1.0");
    assertThat(p.candidate()).isNull();
    assertThat(p.state()).isEqualTo("promoted");
    assertThat(p.previous()).isSameAs(d);
    assertThat(d.state()).isEqualTo("configured");
  }

  @Test
  void gatesNameWhatFailed() {
    VersionStats stats = new VersionStats();
    for (int i = 0; i < 100; i++) {
      stats.recordRequest(i < 98 ? 2_000_000 : 90_000_000, 1); // 2 ms, and two slow ones of 90 ms
    }
    stats.recordDisagreement(3.0, 100);
    List<Gates.Gate> gates = Gates.check(stats.snapshot(), new ModelConfig.Promotion(50, Duration.ofMillis(50), null, 0.05), "output");
    assertThat(gates).extracting(Gates.Gate::passed).containsExactly(true, false, true);
    assertThat(gates.get(1).message()).isEqualTo("p99 latency: 90.00 ms, the gate allows 50.00 ms");
    assertThat(Gates.check(new VersionStats().snapshot(), ModelConfig.Promotion.DEFAULT, "output"))
        .extracting(Gates.Gate::message).containsExactly("requests: 0 scored, the gate needs 1000",
            "p99 latency: not measured yet (no request scored)",
            "disagreement with the primary: not measured yet (no entity scored by both)");
  }
}
