package dev.tessera.online.rest;

import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.testkit.EmbeddedKafka;
import dev.tessera.testkit.ChangelogSeeder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real in-JVM Kafka broker with changelog topics (2 partitions each) seeded before the service
 * starts: per key several rows, out of order and with event-time ties, so the served value must be
 * the winner (higher event time, then sequence); one customer's row is older than the TTL.
 */
public class ChangelogFixture implements QuarkusTestResourceLifecycleManager {
  public static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(Path.of("../contracts/examples"));
  static final long NOW = System.currentTimeMillis();
  /** Expected winner per feature set and key value (single-key sets). */
  public static final Map<String, Map<String, ChangelogSeeder.Row>> EXPECTED = new HashMap<>();
  public static EmbeddedKafka kafka;

  @Override
  public Map<String, String> start() {
    try {
      kafka = new EmbeddedKafka();
      ChangelogSeeder seeder = new ChangelogSeeder(kafka).createTopics(REGISTRY.all(), 2);
      List<ChangelogSeeder.Row> rows = new ArrayList<>();
      FeatureSetContract activity = REGISTRY.get("customer_activity");
      for (int i = 0; i < 40; i++) {
        String id = "c-" + i;
        ChangelogSeeder.Row older = row(activity, Map.of("customer_id", id), i, NOW - 120_000, 1);
        ChangelogSeeder.Row newer = row(activity, Map.of("customer_id", id), i + 1000, NOW - 30_000 - i, 2);
        if (i % 2 == 0) { // out of order: the newer row arrives first
          rows.add(newer);
          rows.add(older);
        } else {
          rows.add(older);
          rows.add(newer);
        }
        expect(activity, id, newer);
      }
      // a tie on event time: the higher sequence wins whatever the arrival order
      ChangelogSeeder.Row tieHigh = row(activity, Map.of("customer_id", "c-tie"), 7, NOW - 10_000, 9);
      rows.add(tieHigh);
      rows.add(row(activity, Map.of("customer_id", "c-tie"), 8, NOW - 10_000, 5));
      expect(activity, "c-tie", tieHigh);
      // older than the 30d TTL: served as EXPIRED, never as a stale number
      rows.add(row(activity, Map.of("customer_id", "c-old"), 3, NOW - java.time.Duration.ofDays(31).toMillis(), 1));
      FeatureSetContract risk = REGISTRY.get("merchant_risk");
      for (int i = 0; i < 10; i++) {
        ChangelogSeeder.Row r = row(risk, Map.of("merchant_id", "m-" + i), i, NOW - 5_000, 1);
        rows.add(r);
        expect(risk, "m-" + i, r);
      }
      rows.add(row(REGISTRY.get("customer_merchant"), Map.of("customer_id", "c-1", "merchant_id", "m-1"), 4, NOW - 1_000, 1));
      seeder.send(rows);
      return Map.of("tessera.kafka.bootstrap-servers", kafka.bootstrapServers());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void expect(FeatureSetContract c, String key, ChangelogSeeder.Row row) {
    EXPECTED.computeIfAbsent(c.name(), n -> new HashMap<>()).put(key, row);
  }

  /** A row whose feature values derive from {@code seed}, typed per feature. */
  public static ChangelogSeeder.Row row(FeatureSetContract c, Map<String, String> keys, int seed, long eventTime, long seq) {
    Map<String, Object> values = new LinkedHashMap<>();
    int n = 0;
    for (Feature f : c.features()) {
      n++;
      Object v = switch (f.type()) {
        case INT -> seed * 10 + n;
        case LONG -> (long) seed * 100 + n;
        case FLOAT -> seed + n / 10f;
        case DOUBLE -> seed * 1.5 + n;
        case BOOLEAN -> seed % 2 == 0;
        case STRING -> "s" + seed;
        case TIMESTAMP -> eventTime - n;
      };
      values.put(f.name(), v);
    }
    return new ChangelogSeeder.Row(c, keys, values, eventTime, seq);
  }

  @Override
  public void stop() {
    try {
      if (kafka != null) {
        kafka.close();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
