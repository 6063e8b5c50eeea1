package dev.tessera.ingest.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.ingest.window.FeatureWindows;
import dev.tessera.ingest.window.Layout;
import dev.tessera.testkit.ExampleContracts;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RolloutTest {
  static final FeatureSetContract V1 = ContractRegistry.fromDirectory(ExampleContracts.EXAMPLES).get("customer_activity");

  @TempDir Path dir;

  private static Rollout rollout(FeatureSetContract from, FeatureSetContract to) {
    return new Rollout(to, new FeatureWindows(from).layout(), new FeatureWindows(to).layout());
  }

  @Test
  void aNewMajorStartsWithTheBackfilledState() {
    Rollout fresh = new Rollout(V1, null, new FeatureWindows(V1).layout());
    assertThat(fresh.describe("savepoint-1", true)).isEqualTo("customer_activity 1.0.0: new, starting with the window state of a backfill"
        + " of the events archive; it reads its topic from the beginning and skips the events the backfill counted");
    assertThat(fresh.describe(null)).isEqualTo("customer_activity 1.0.0: starting without state");
  }

  @Test
  void aPatchChangeChangesNothingButTheVersion() {
    FeatureSetContract patch = ExampleContracts.edited(dir, "customer_activity.yaml", t -> t.replace("version: 1.0.0", "version: 1.0.1")
        .replace("Rolling payment activity per customer", "Rolling card-payment activity per customer")
        .replace("team: risk-data", "team: risk-data-platform"));
    Rollout r = rollout(V1, patch);
    assertThat(r.added()).isEmpty();
    assertThat(r.removed()).isEmpty();
    assertThat(r.changed()).isEmpty();
    r.check();
    assertThat(r.describe("savepoint-1")).isEqualTo("customer_activity 1.0.0 -> 1.0.1: restored from savepoint-1, no change to features");
    assertThat(Layout.fromJson(r.current().toJson()).sameShape(r.previous())).isTrue();
  }

  @Test
  void anAddedFeatureSaysHowToBackfillIt() {
    Rollout r = rollout(V1, ExampleContracts.activityWithTenMinuteCount(dir));
    r.check();
    assertThat(r.added()).containsExactly("txn_count_10m");
    assertThat(r.describe("savepoint-1")).isEqualTo("customer_activity 1.0.0 -> 1.1.0: restored from savepoint-1, 1 feature added"
        + " (txn_count_10m; missing until backfilled: tessera up --backfill, or tessera backfill --feature-set customer_activity while stopped)");
    assertThat(r.describe("savepoint-1", true)).endsWith("1 feature added (txn_count_10m; backfilled from the events archive)");
  }

  @Test
  void aChangedAggregateIsRefusedBeforeSubmitNamingTheFeature() {
    FeatureSetContract changed = ExampleContracts.edited(dir, "customer_activity.yaml", t -> t.replace("version: 1.0.0", "version: 1.1.0")
        .replace("aggregate: {function: count, window: 1h}", "aggregate: {function: count, window: 2h}"));
    assertThatThrownBy(() -> rollout(V1, changed).check()).isInstanceOfSatisfying(TesseraException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.INCOMPATIBLE_CHANGE);
      assertThat(e.getMessage()).contains("Cannot resume customer_activity 1.0.0 -> 1.1.0 from its state", "txn_count_1h: count over 1h", "-> count over 2h",
          "MAJOR");
    });
  }

  @Test
  void aFeatureRemovedWithoutDeprecationIsRefused() {
    FeatureSetContract removed = ExampleContracts.edited(dir, "customer_activity.yaml", t -> t.replace("version: 1.0.0", "version: 1.1.0")
        .replace("""
          - name: amount_max_24h
            type: double
            description: Largest transaction in the last 24 hours.
            aggregate: {function: max, field: amount, window: 24h}
        """, ""));
    assertThatThrownBy(() -> rollout(V1, removed).check()).isInstanceOf(TesseraException.class)
        .hasMessageContaining("[amount_max_24h] were removed without being deprecated first");
  }
}
