package dev.tessera.cli.deploy;

import dev.tessera.contracts.model.Durations;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.Sla;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Prometheus alerting rules of one feature set major, from its contract's {@code sla:} block,
 * over the metrics online-serving exports (docs/production.md, "Alerts"):
 *
 * <ul>
 *   <li>freshness: p99 of {@code tessera_freshness_lag_seconds} (event time to visible online, over
 *       every replica's histogram) above {@code sla.freshness} for 5 minutes;
 *   <li>latency: p99 of {@code tessera_lookup_latency_seconds} above {@code sla.latencyP99} for 5 minutes;
 *   <li>availability: 5xx answers of the lookup endpoints over 30 minutes above {@code 100 - sla.availability} percent;
 *   <li>completeness: lookups of this major answered OK over 30 minutes below {@code sla.completeness} percent;
 *   <li>always: the changelog lag above a threshold for 10 minutes (the store falls behind), and
 *       rejected events in the last hour above a threshold (a producer sends what the contract refuses).
 * </ul>
 *
 * Each alert carries the owning team and email as labels and annotations, and a runbook link to the
 * feature set's page in the catalog UI.
 */
public final class AlertRules {
  /** Thresholds the contracts do not set, and where the catalog is. */
  public record Options(String catalogUrl, long changelogLagRecords, long dlqEventsPerHour) {}

  private AlertRules() {}

  /** The rule group of {@code c}: one Prometheus rule group, as a YAML-ready map. */
  public static Map<String, Object> group(FeatureSetContract c, Options o) {
    List<Map<String, Object>> rules = new ArrayList<>();
    String sel = "feature_set=\"" + c.name() + "\",major=\"" + c.majorVersion() + "\"";
    Sla sla = c.sla();
    if (sla.freshness() != null) {
      rules.add(rule(c, o, "TesseraFreshnessSlaBreached", "page",
          "histogram_quantile(0.99, sum by (le) (rate(tessera_freshness_lag_seconds_bucket{" + sel + "}[5m]))) > " + seconds(sla.freshness()),
          "5m", c.majorId() + " is staler than its SLA",
          "p99 freshness (event time to visible online) of " + c.majorId() + " is {{ $value | humanizeDuration }}, over the contract's "
              + Durations.format(sla.freshness()) + ". Check the ingest job (lag, restarts) and the online materializer (changelog lag)."));
    }
    if (sla.latencyP99() != null) {
      rules.add(rule(c, o, "TesseraLookupLatencySlaBreached", "page",
          "histogram_quantile(0.99, sum by (le) (rate(tessera_lookup_latency_seconds_bucket{" + sel + "}[5m]))) > " + seconds(sla.latencyP99()),
          "5m", "Lookups of " + c.majorId() + " are slower than its SLA",
          "p99 lookup latency of " + c.majorId() + " is {{ $value | humanizeDuration }}, over the contract's " + Durations.format(sla.latencyP99())
              + ". Check the online service's load (in-flight limit, 503s) and its store."));
    }
    if (sla.availabilityPercent() != null) {
      double budget = (100 - sla.availabilityPercent()) / 100;
      rules.add(rule(c, o, "TesseraAvailabilitySlaBreached", "page",
          "(sum(rate(http_server_requests_seconds_count{uri=~\"/v1/features.*\",status=~\"5..\"}[30m]))"
              + " / sum(rate(http_server_requests_seconds_count{uri=~\"/v1/features.*\"}[30m]))) > " + num(budget),
          "5m", "The online service misses " + c.majorId() + "'s availability SLA",
          "{{ $value | humanizePercentage }} of lookups failed (5xx) over 30 minutes; " + c.majorId() + "'s contract allows "
              + num(100 - sla.availabilityPercent()) + "%. Check readiness (catching up, 503) and the store."));
    }
    if (sla.completenessPercent() != null) {
      double target = sla.completenessPercent() / 100;
      rules.add(rule(c, o, "TesseraCompletenessSlaBreached", "ticket",
          "(sum(rate(tessera_lookups_total{" + sel + ",status=\"ok\"}[30m])) / sum(rate(tessera_lookups_total{" + sel + "}[30m]))) < "
              + num(target),
          "15m", c.majorId() + " answers too many lookups without values",
          "Only {{ $value | humanizePercentage }} of " + c.majorId() + "'s lookups were answered OK over 30 minutes (target "
              + num(sla.completenessPercent()) + "%): keys missing (never ingested) or expired (older than the TTL)."));
    }
    rules.add(rule(c, o, "TesseraChangelogLagHigh", "ticket",
        "max(tessera_changelog_lag_records{" + sel + "}) > " + o.changelogLagRecords(), "10m",
        "The online store of " + c.majorId() + " falls behind its changelog",
        "{{ $value }} changelog records of " + c.majorId() + " are not in the online store yet. Check the materializer and the store."));
    rules.add(rule(c, o, "TesseraDlqRejections", "ticket",
        "max(sum by (instance) (tessera_dlq_rejected_last_hour{" + sel + "})) > " + o.dlqEventsPerHour(), "5m",
        "Producers send events " + c.majorId() + "'s contract rejects",
        "{{ $value }} events of " + c.source().topic() + " were rejected in the last hour. See the reasons on the catalog page, "
            + "`tessera dlq list --feature-set " + c.name() + "`, and replay after the fix."));
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("name", "tessera." + c.name() + ".v" + c.majorVersion());
    group.put("rules", rules);
    return group;
  }

  /** A rules file (what {@code promtool} and a plain Prometheus read): {@code groups:} with the groups of {@code contracts}. */
  public static Map<String, Object> rulesFile(List<FeatureSetContract> contracts, Options o) {
    return Map.of("groups", contracts.stream().map(c -> group(c, o)).toList());
  }

  /** The {@code PrometheusRule} object of the Prometheus Operator for {@code c}. */
  public static Map<String, Object> prometheusRule(FeatureSetContract c, Options o, String namespace) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", "tessera-" + c.name().replace('_', '-') + "-v" + c.majorVersion());
    if (namespace != null) {
      metadata.put("namespace", namespace);
    }
    metadata.put("labels", Map.of("app.kubernetes.io/part-of", "tessera", "tessera.dev/feature-set", c.name(),
        "tessera.dev/major", Integer.toString(c.majorVersion())));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("apiVersion", "monitoring.coreos.com/v1");
    out.put("kind", "PrometheusRule");
    out.put("metadata", metadata);
    out.put("spec", Map.of("groups", List.of(group(c, o))));
    return out;
  }

  private static Map<String, Object> rule(FeatureSetContract c, Options o, String alert, String severity, String expr, String forDuration,
      String summary, String description) {
    Map<String, Object> labels = new LinkedHashMap<>();
    labels.put("severity", severity);
    labels.put("feature_set", c.name());
    labels.put("major", Integer.toString(c.majorVersion()));
    labels.put("team", c.owner().team());
    Map<String, Object> annotations = new LinkedHashMap<>();
    annotations.put("summary", summary);
    annotations.put("description", description + " Owner: " + c.owner().team() + " <" + c.owner().email() + ">.");
    annotations.put("runbook_url", o.catalogUrl().replaceAll("/$", "") + "/ui/feature-sets/" + c.majorId() + "#sla");
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("alert", alert);
    rule.put("expr", expr);
    rule.put("for", forDuration);
    rule.put("labels", labels);
    rule.put("annotations", annotations);
    return rule;
  }

  private static String seconds(Duration d) {
    return num(d.toMillis() / 1000.0);
  }

  private static String num(double v) {
    String s = String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
