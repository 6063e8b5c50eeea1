package dev.tessera.cli.audit;

import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.EntityKey;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.history.FeatureHistory;
import dev.tessera.offline.table.FeatureTables;
import dev.tessera.sdk.FeatureVector;
import dev.tessera.sdk.TesseraClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.iceberg.catalog.Catalog;

/**
 * Training/serving skew check: for a sample of keys, the online vector against the latest offline
 * row. Each key is one of: {@code match} (same event time, same values), {@code online-ahead}
 * (online has a newer row that offline has not committed yet: normal within a checkpoint interval
 * plus the watermark delay), {@code stale} (online older than offline), {@code mismatch} (same
 * event time, different values), {@code missing-online}, or {@code expired} (both older than the
 * TTL).
 */
public final class Audit {
  /** One key's verdict. */
  public record Finding(String key, String verdict, Long onlineEventTime, Long offlineEventTime, String detail) {}

  /**
   * The verdicts of a sample, with counts per verdict, the largest staleness, and the offline event
   * times the sample spans ({@code fromEventTime}..{@code toEventTime}, null when nothing was sampled).
   * {@code nothingToCompare} says why nothing could be compared (no offline table, no rows), else null.
   */
  public record Report(String featureSet, int sampled, int offlineKeys, Map<String, Integer> counts, long maxStalenessMs, List<Finding> findings,
      Long fromEventTime, Long toEventTime, String nothingToCompare) {
    public int problems() {
      return counts.getOrDefault("mismatch", 0) + counts.getOrDefault("stale", 0) + counts.getOrDefault("missing-online", 0);
    }

    public int matched() {
      return counts.getOrDefault("match", 0);
    }

    /** Keys whose online and offline rows were compared: all sampled but those online is ahead of, or both expired. */
    public int compared() {
      return sampled - counts.getOrDefault("online-ahead", 0) - counts.getOrDefault("expired", 0);
    }
  }

  private Audit() {}

  public static Report run(TesseraConfig config, FeatureSetContract contract, TesseraClient client, int sample, long seed) {
    Catalog catalog = Catalogs.open(config);
    Map<String, Map<String, Object>> offline;
    FeatureTables tables = new FeatureTables(catalog, config.get(OfflineOptions.NAMESPACE));
    try {
      if (!catalog.tableExists(tables.identifier(contract))) {
        return new Report(contract.id(), 0, 0, Map.of(), 0, List.of(), null, null, "there is no offline table " + tables.identifier(contract)
            + " yet (no ingest job has run for " + contract.majorId() + ")");
      }
      offline = new FeatureHistory(tables).latest(contract);
    } finally {
      if (catalog instanceof AutoCloseable a) {
        try {
          a.close();
        } catch (Exception e) {
          // nothing to do
        }
      }
    }
    if (offline.isEmpty()) {
      return new Report(contract.id(), 0, 0, Map.of(), 0, List.of(), null, null, "the offline table " + tables.identifier(contract)
          + " has no rows yet (a window becomes an offline row once the watermark passes it plus allowedLateness, "
          + dev.tessera.contracts.model.Durations.format(contract.source().allowedLateness()) + ")");
    }
    List<String> keys = new ArrayList<>(offline.keySet());
    Collections.sort(keys);
    Collections.shuffle(keys, new Random(seed));
    keys = keys.subList(0, Math.min(sample, keys.size()));
    List<Map<String, String>> entities = new ArrayList<>();
    for (String k : keys) {
      String[] parts = dev.tessera.contracts.rows.EntityKeys.parts(k);
      Map<String, String> e = new LinkedHashMap<>();
      List<EntityKey> ks = contract.entity().keys();
      for (int i = 0; i < ks.size(); i++) {
        e.put(ks.get(i).name(), parts[i]);
      }
      entities.add(e);
    }
    List<Finding> findings = new ArrayList<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    long maxStale = 0;
    long now = System.currentTimeMillis();
    Long from = null;
    Long to = null;
    for (int start = 0; start < entities.size(); start += 1000) {
      List<Map<String, String>> batch = entities.subList(start, Math.min(entities.size(), start + 1000));
      // pinned: the online answer of the same major as the offline table
      List<Map<String, FeatureVector>> online = client.lookup(List.of(contract.majorId() + ":*"), batch);
      for (int i = 0; i < batch.size(); i++) {
        String key = keys.get(start + i);
        Map<String, Object> row = offline.get(key);
        FeatureVector v = online.get(i).get(contract.majorId());
        long offTime = (Long) row.get(FeatureSetContract.EVENT_TIME_COLUMN);
        from = from == null ? offTime : Math.min(from, offTime);
        to = to == null ? offTime : Math.max(to, offTime);
        Long onTime = v.eventTime() == null ? null : v.eventTime().toEpochMilli();
        Finding f;
        if (v.status() == FeatureVector.Status.MISSING) {
          f = new Finding(key, "missing-online", null, offTime, "offline has a row, online has none");
        } else if (v.status() == FeatureVector.Status.EXPIRED) {
          boolean offlineExpired = contract.ttl() != null && now - offTime > contract.ttl().toMillis();
          f = new Finding(key, offlineExpired ? "expired" : "stale", onTime, offTime, "online value expired");
        } else if (onTime > offTime) {
          f = new Finding(key, "online-ahead", onTime, offTime, "offline not committed yet");
        } else if (onTime < offTime) {
          maxStale = Math.max(maxStale, offTime - onTime);
          f = new Finding(key, "stale", onTime, offTime, "online is " + (offTime - onTime) + " ms behind offline");
        } else {
          String diff = diff(contract, v, row);
          f = new Finding(key, diff == null ? "match" : "mismatch", onTime, offTime, diff);
        }
        findings.add(f);
        counts.merge(f.verdict(), 1, Integer::sum);
      }
    }
    Report r = new Report(contract.id(), keys.size(), offline.size(), counts, maxStale, findings, from, to, null);
    return r.compared() > 0 ? r : new Report(r.featureSet(), r.sampled(), r.offlineKeys(), counts, maxStale, findings, from, to,
        "none of the " + r.sampled() + " sampled keys could be compared (online is ahead of offline, or both expired)");
  }

  /** The first feature whose online and offline values differ, described; null when all equal. */
  static String diff(FeatureSetContract c, FeatureVector online, Map<String, Object> offline) {
    for (Feature f : c.features()) {
      Object on = online.values().get(f.name());
      Object off = offline.get(f.name());
      boolean equal;
      if (on == null || off == null) {
        equal = on == off;
      } else if (on instanceof Number a && off instanceof Number b) {
        double x = a.doubleValue();
        double y = b.doubleValue();
        equal = x == y || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
      } else {
        equal = on.toString().equals(off.toString());
      }
      if (!equal) {
        return f.name() + ": online " + on + ", offline " + off;
      }
    }
    return null;
  }
}
