package dev.tessera.online.rest;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The two store configurations the API tests run on, with the same broker fixture and API keys. */
public final class ServingProfiles {
  private ServingProfiles() {}

  public static final String FRAUD_KEY = "fraud-key-123";
  public static final String MARKETING_KEY = "marketing-key-456";
  public static final String OPS_KEY = "ops-key-789";

  public static Map<String, String> common() {
    Map<String, String> m = new HashMap<>();
    m.put("tessera.contracts.dir", "../contracts/examples");
    // marketing's key is configured as a hash only
    m.put("tessera.online.api-keys", "fraud-scoring:" + FRAUD_KEY + ",marketing-propensity:sha256:"
        + AccessControl.sha256(MARKETING_KEY) + ",*:" + OPS_KEY);
    m.put("tessera.online.max-entities", "5000");
    m.put("tessera.online.lag-interval", "200ms");
    return m;
  }

  public static class RocksDb implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> m = common();
      try {
        m.put("tessera.online.rocksdb.dir", Files.createTempDirectory("tessera-online-it").toString());
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
      return m;
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(ChangelogFixture.class));
    }
  }

  public static class Redis implements QuarkusTestProfile {
    static final String PREFIX = "tessera-api-it:" + Long.toHexString(System.nanoTime()) + ":";

    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> m = common();
      dev.tessera.testkit.MachineServices.requireRedis();
      m.put("tessera.online.store", "redis");
      m.put("tessera.online.redis.uri", dev.tessera.testkit.MachineServices.REDIS_URI);
      m.put("tessera.online.redis.prefix", PREFIX);
      m.put("tessera.online.materializer-group", PREFIX + "materializer");
      return m;
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(ChangelogFixture.class));
    }
  }
}
