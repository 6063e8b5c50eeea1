package dev.tessera.cli.deploy;

import dev.tessera.contracts.model.FeatureSetContract;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Grafana dashboard of the served feature sets: one row per feature set major with its
 * freshness (p50, p99) against its SLA, lookup latency p99 against its SLA, completeness against
 * its target, changelog lag, and rejected events by reason. The SLA lines come from each
 * contract, so the dashboard is rendered with the alerts, not drawn by hand.
 */
public final class Dashboard {
  private Dashboard() {}

  /** The dashboard JSON model, as a map for Jackson. */
  public static Map<String, Object> of(List<FeatureSetContract> contracts) {
    List<Map<String, Object>> panels = new ArrayList<>();
    int y = 0;
    int id = 1;
    for (FeatureSetContract c : contracts) {
      String sel = "feature_set=\"" + c.name() + "\",major=\"" + c.majorVersion() + "\"";
      panels.add(Map.of("type", "row", "id", id++, "title", c.majorId() + " " + c.version() + " (" + c.owner().team() + ")", "collapsed", false,
          "gridPos", grid(0, y, 24, 1), "panels", List.of()));
      y++;
      Double freshness = c.sla().freshness() == null ? null : c.sla().freshness().toMillis() / 1000.0;
      panels.add(panel(id++, "Freshness vs SLA", "s", freshness, grid(0, y, 8, 8),
          target("histogram_quantile(0.99, sum by (le) (rate(tessera_freshness_lag_seconds_bucket{" + sel + "}[5m])))", "p99"),
          target("histogram_quantile(0.5, sum by (le) (rate(tessera_freshness_lag_seconds_bucket{" + sel + "}[5m])))", "p50")));
      Double latency = c.sla().latencyP99() == null ? null : c.sla().latencyP99().toMillis() / 1000.0;
      panels.add(panel(id++, "Lookup latency p99 vs SLA", "s", latency, grid(8, y, 8, 8),
          target("histogram_quantile(0.99, sum by (le, endpoint) (rate(tessera_lookup_latency_seconds_bucket{" + sel + "}[5m])))",
              "{{endpoint}}")));
      Double completeness = c.sla().completenessPercent() == null ? null : c.sla().completenessPercent() / 100;
      panels.add(panel(id++, "Completeness vs target", "percentunit", completeness, grid(16, y, 8, 8),
          target("sum(rate(tessera_lookups_total{" + sel + ",status=\"ok\"}[5m])) / sum(rate(tessera_lookups_total{" + sel + "}[5m]))",
              "answered OK")));
      y += 8;
      panels.add(panel(id++, "Changelog lag", "short", null, grid(0, y, 12, 6),
          target("max by (instance) (tessera_changelog_lag_records{" + sel + "})", "{{instance}}")));
      panels.add(panel(id++, "Rejected events (last hour) by reason", "short", null, grid(12, y, 12, 6),
          target("max by (reason) (tessera_dlq_rejected_last_hour{" + sel + "})", "{{reason}}")));
      y += 6;
    }
    Map<String, Object> datasource = new LinkedHashMap<>();
    datasource.put("name", "datasource");
    datasource.put("type", "datasource");
    datasource.put("query", "prometheus");
    datasource.put("label", "Prometheus");
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("uid", "tessera-feature-sets");
    d.put("title", "Tessera: feature sets against their SLAs");
    d.put("tags", List.of("tessera"));
    d.put("schemaVersion", 39);
    d.put("refresh", "30s");
    d.put("time", Map.of("from", "now-6h", "to", "now"));
    d.put("templating", Map.of("list", List.of(datasource)));
    d.put("panels", panels);
    return d;
  }

  private static Map<String, Object> grid(int x, int y, int w, int h) {
    return Map.of("x", x, "y", y, "w", w, "h", h);
  }

  private static Map<String, Object> target(String expr, String legend) {
    return Map.of("expr", expr, "legendFormat", legend, "datasource", Map.of("type", "prometheus", "uid", "${datasource}"));
  }

  @SafeVarargs
  private static Map<String, Object> panel(int id, String title, String unit, Double threshold, Map<String, Object> grid,
      Map<String, Object>... targets) {
    List<Map<String, Object>> steps = new ArrayList<>();
    Map<String, Object> base = new LinkedHashMap<>();
    base.put("color", "green");
    base.put("value", null);
    steps.add(base);
    if (threshold != null) {
      steps.add(Map.of("color", "red", "value", threshold));
    }
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put("unit", unit);
    defaults.put("thresholds", Map.of("mode", "absolute", "steps", steps));
    defaults.put("custom", Map.of("thresholdsStyle", Map.of("mode", threshold == null ? "off" : "line")));
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("id", id);
    p.put("type", "timeseries");
    p.put("title", title);
    p.put("datasource", Map.of("type", "prometheus", "uid", "${datasource}"));
    p.put("gridPos", grid);
    p.put("fieldConfig", Map.of("defaults", defaults, "overrides", List.of()));
    p.put("targets", List.of(targets));
    return p;
  }
}
