package dev.tessera.online.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.registry.ContractRegistry;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessControlTest {
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(Path.of("../contracts/examples"));
  static final FeatureSetContract RISK = REGISTRY.get("merchant_risk");

  static AccessControl access(Map<String, String> config) {
    return new AccessControl(TesseraConfig.defaults(Path.of("."), config));
  }

  @Test
  void keysMapToConsumersAndContractsListTheirConsumers() {
    AccessControl a = access(Map.of("tessera.online.api-keys", "fraud-scoring:k1, marketing-propensity:sha256:" + AccessControl.sha256("k2")));
    assertThat(a.authenticate("k1")).isEqualTo("fraud-scoring");
    assertThat(a.authenticate("k2")).isEqualTo("marketing-propensity");
    a.authorize("fraud-scoring", RISK);
    assertThatThrownBy(() -> a.authorize("marketing-propensity", RISK)).isInstanceOfSatisfying(TesseraException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
    assertThatThrownBy(() -> a.authenticate(null)).isInstanceOfSatisfying(TesseraException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
    assertThatThrownBy(() -> a.authenticate("k3")).hasMessage("Unknown API key in the X-API-Key header");
  }

  @Test
  void onByDefaultAndOffOnlyWhenDisabled() {
    assertThatThrownBy(() -> access(Map.of()).authenticate("anything")).hasMessage("Unknown API key in the X-API-Key header");
    AccessControl off = access(Map.of("tessera.online.auth.enabled", "false"));
    assertThat(off.authenticate(null)).isNull();
    off.authorize(null, RISK);
  }

  @Test
  void malformedEntriesAreNamedWithoutLeakingTheKey() {
    assertThatThrownBy(() -> access(Map.of("tessera.online.api-keys", "fraud-scoring:k1,secretwithoutconsumer")))
        .hasMessage("Cannot read config key 'tessera.online.api-keys': entry '*********************' is not consumer:key or consumer:sha256:<hex>");
    assertThatThrownBy(() -> access(Map.of("tessera.online.api-keys", "ops:sha256:abc")))
        .hasMessage("Cannot read config key 'tessera.online.api-keys': the sha256 of consumer 'ops' has 3 hex digits, expected 64");
  }
}
