package dev.tessera.contracts.compatibility;

import static dev.tessera.contracts.compatibility.Bump.MAJOR;
import static dev.tessera.contracts.compatibility.Bump.MINOR;
import static dev.tessera.contracts.compatibility.Bump.PATCH;

import dev.tessera.contracts.model.Consumer;
import dev.tessera.contracts.model.Durations;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.QualityRule;
import dev.tessera.contracts.model.Sla;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.SchemaCompatibility;

/**
 * Classifies every change between two versions of a contract by the semver bump it requires.
 * MAJOR breaks a consumer or the physical artefacts (table, changelog); MINOR is compatible but
 * visible (new features, tighter SLAs, quality rules that may route more events to the DLQ);
 * PATCH is documentation and ownership only. See {@code docs/contracts.md#compatibility}.
 */
public final class CompatibilityChecker {

  public ContractDiff diff(FeatureSetContract oldC, FeatureSetContract newC) {
    List<Change> out = new ArrayList<>();
    identity(oldC, newC, out);
    source(oldC, newC, out);
    features(oldC, newC, out);
    quality(oldC, newC, out);
    sla(oldC.sla(), newC.sla(), out);
    consumers(oldC, newC, out);
    return new ContractDiff(oldC, newC, out);
  }

  private void identity(FeatureSetContract o, FeatureSetContract n, List<Change> out) {
    if (!o.name().equals(n.name())) {
      out.add(new Change("name", "name-changed", MAJOR,
          "name changed from '" + o.name() + "' to '" + n.name() + "': a new table and changelog topic"));
    }
    if (o.status() != n.status()) {
      // retiring a deprecated major ends it as announced (its sunset is checked apart); retiring an active one breaks its readers
      Bump bump = switch (n.status()) {
        case RETIRED -> o.status() == dev.tessera.contracts.model.ContractStatus.DEPRECATED ? MINOR : MAJOR;
        case DEPRECATED, ACTIVE -> MINOR;
      };
      out.add(new Change("status", "status-changed", bump,
          "status changed from " + o.status().yamlName() + " to " + n.status().yamlName()
              + (n.status() == dev.tessera.contracts.model.ContractStatus.RETIRED ? ": a retired feature set is no longer produced" : "")));
    }
    if (!java.util.Objects.equals(o.sunset(), n.sunset())) {
      out.add(new Change("sunset", "sunset-changed", MINOR, "sunset changed from " + (o.sunset() == null ? "none" : o.sunset())
          + " to " + (n.sunset() == null ? "none" : n.sunset()) + ": consumers see the new date in Sunset headers"));
    }
    if (!java.util.Objects.equals(o.replacement(), n.replacement())) {
      out.add(new Change("replacement", "replacement-changed", MINOR, "replacement changed from "
          + (o.replacement() == null ? "none" : o.replacement()) + " to " + (n.replacement() == null ? "none" : n.replacement())));
    }
    if (!o.description().equals(n.description())) {
      out.add(new Change("description", "description-changed", PATCH, "description changed"));
    }
    if (!o.owner().equals(n.owner())) {
      out.add(new Change("owner", "owner-changed", PATCH,
          "owner changed from " + o.owner().team() + " <" + o.owner().email() + "> to "
              + n.owner().team() + " <" + n.owner().email() + ">"));
    }
    if (!o.tags().equals(n.tags())) {
      out.add(new Change("tags", "tags-changed", PATCH, "tags changed from " + o.tags() + " to " + n.tags()));
    }
    if (!o.entity().name().equals(n.entity().name())) {
      out.add(new Change("entity.name", "entity-changed", MAJOR,
          "entity changed from '" + o.entity().name() + "' to '" + n.entity().name() + "'"));
    }
    if (!o.entity().keys().equals(n.entity().keys())) {
      out.add(new Change("entity.keys", "entity-keys-changed", MAJOR,
          "entity keys changed from " + keys(o) + " to " + keys(n) + ": every lookup and join key changes"));
    }
    if (!o.windowHop().equals(n.windowHop())) {
      out.add(new Change("windowHop", "window-hop-changed", MAJOR,
          "windowHop changed from " + Durations.format(o.windowHop()) + " to "
              + Durations.format(n.windowHop()) + ": every windowed value changes"));
    }
    ttl(o.ttl(), n.ttl(), out);
  }

  private static String keys(FeatureSetContract c) {
    return c.entity().keys().stream().map(k -> k.name() + ":" + k.type()).collect(Collectors.joining(", ", "[", "]"));
  }

  private void ttl(Duration o, Duration n, List<Change> out) {
    if (Objects.equals(o, n)) {
      return;
    }
    // null ttl means values never expire: the longest possible
    boolean shorter = n != null && (o == null || n.compareTo(o) < 0);
    out.add(new Change("ttl", shorter ? "ttl-shortened" : "ttl-lengthened", shorter ? MAJOR : MINOR,
        "ttl changed from " + ttlText(o) + " to " + ttlText(n)
            + (shorter ? ": values consumers rely on will be served as missing" : "")));
  }

  private static String ttlText(Duration d) {
    return d == null ? "none (never expires)" : Durations.format(d);
  }

  private void source(FeatureSetContract oc, FeatureSetContract nc, List<Change> out) {
    var o = oc.source();
    var n = nc.source();
    major(out, "source.topic", "source-topic-changed", o.topic(), n.topic(), "events come from another topic");
    major(out, "source.format", "source-format-changed", o.format(), n.format(), "payloads decode differently");
    major(out, "source.encoding", "source-encoding-changed", o.encoding(), n.encoding(), "payloads decode differently");
    major(out, "source.eventTime", "event-time-changed", o.eventTime(), n.eventTime(), "every row's time changes");
    major(out, "source.keys", "source-keys-changed", o.keys(), n.keys(), "rows are keyed by other fields");
    if (!o.maxOutOfOrderness().equals(n.maxOutOfOrderness())) {
      out.add(new Change("source.maxOutOfOrderness", "out-of-orderness-changed", MINOR,
          "maxOutOfOrderness changed from " + Durations.format(o.maxOutOfOrderness()) + " to "
              + Durations.format(n.maxOutOfOrderness()) + ": offline rows become final at another delay"));
    }
    if (!o.pii().equals(n.pii())) {
      out.add(new Change("source.pii", "pii-changed", MINOR,
          "PII fields changed from " + o.pii() + " to " + n.pii() + ": only how Tessera shows rejected events changes"));
    }
    if (!o.allowedLateness().equals(n.allowedLateness())) {
      boolean shorter = n.allowedLateness().compareTo(o.allowedLateness()) < 0;
      out.add(new Change("source.allowedLateness", "allowed-lateness-changed", MINOR,
          "allowedLateness changed from " + Durations.format(o.allowedLateness()) + " to "
              + Durations.format(n.allowedLateness())
              + (shorter ? ": may route more late events to the DLQ" : "")));
    }
    if (!o.schema().equals(n.schema())) {
      var result = SchemaCompatibility.checkReaderWriterCompatibility(n.schema(), o.schema()).getResult();
      if (result.getCompatibility() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
        out.add(new Change("source.schema", "source-schema-compatible", MINOR,
            "source schema changed; the new schema can read data written with the old one"));
      } else {
        String why = result.getIncompatibilities().stream()
            .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
            .collect(Collectors.joining("; "));
        out.add(new Change("source.schema", "source-schema-incompatible", MAJOR,
            "source schema changed and cannot read data written with the old one: " + why));
      }
    } else if (!o.schemaPath().equals(n.schemaPath())) {
      out.add(new Change("source.schema", "source-schema-moved", PATCH,
          "schema file changed from " + o.schemaPath() + " to " + n.schemaPath() + " with the same content"));
    }
  }

  private static void major(List<Change> out, String path, String code, Object o, Object n, String why) {
    if (!Objects.equals(o, n)) {
      out.add(new Change(path, code, MAJOR, path + " changed from " + o + " to " + n + ": " + why));
    }
  }

  private void features(FeatureSetContract oc, FeatureSetContract nc, List<Change> out) {
    Map<String, Feature> olds = byName(oc.features(), Feature::name);
    Map<String, Feature> news = byName(nc.features(), Feature::name);
    List<Feature> removed = oc.features().stream().filter(f -> !news.containsKey(f.name())).toList();
    List<Feature> added = new ArrayList<>(nc.features().stream().filter(f -> !olds.containsKey(f.name())).toList());
    for (Feature r : removed) {
      String path = "features." + r.name();
      Feature renamedTo = added.stream()
          .filter(a -> a.type() == r.type() && a.aggregate().equals(r.aggregate()))
          .findFirst().orElse(null);
      if (r.isDeprecated()) {
        // announced in an earlier version: readers see it as missing ("removed"), the stream drops its state
        out.add(new Change(path, "deprecated-feature-removed", MINOR,
            "deprecated feature '" + r.name() + "' removed (deprecated since " + r.deprecated().since()
                + r.deprecated().replacementFeature().map(x -> ", replaced by '" + x + "'").orElse("") + ")"));
        continue;
      }
      if (renamedTo != null) {
        added.remove(renamedTo);
        out.add(new Change(path, "feature-renamed", MAJOR,
            "feature '" + r.name() + "' renamed to '" + renamedTo.name() + "': consumers reading '"
                + r.name() + "' break"));
      } else {
        out.add(new Change(path, "feature-removed", MAJOR,
            "feature '" + r.name() + "' removed: consumers reading it break"));
      }
      if (!oc.consumers().isEmpty()) {
        out.add(new Change(path, "removed-without-deprecation", MAJOR,
            "feature '" + r.name() + "' was removed without being deprecated in a prior version; consumers "
                + consumerList(oc.consumers()) + " got no warning"));
      }
    }
    for (Feature a : added) {
      out.add(new Change("features." + a.name(), "feature-added", MINOR,
          "feature '" + a.name() + "' (" + a.type() + ", " + a.aggregate().function() + ") added"));
    }
    for (Feature o : oc.features()) {
      Feature n = news.get(o.name());
      if (n != null) {
        feature(o, n, out);
      }
    }
  }

  private void feature(Feature o, Feature n, List<Change> out) {
    String p = "features." + o.name();
    major(out, p + ".type", "feature-type-changed", o.type(), n.type(), "readers expect the old type");
    major(out, p + ".aggregate.function", "aggregate-changed", o.aggregate().function(),
        n.aggregate().function(), "the feature means something else");
    major(out, p + ".aggregate.field", "aggregate-changed", o.aggregate().field(), n.aggregate().field(),
        "the feature means something else");
    if (!Objects.equals(o.aggregate().window(), n.aggregate().window())) {
      out.add(new Change(p + ".aggregate.window", "aggregate-changed", MAJOR,
          p + ".aggregate.window changed from " + window(o) + " to " + window(n)
              + ": the feature means something else"));
    }
    if (!o.description().equals(n.description())) {
      out.add(new Change(p + ".description", "description-changed", PATCH, "feature description changed"));
    }
    if (!o.isDeprecated() && n.isDeprecated()) {
      out.add(new Change(p + ".deprecated", "feature-deprecated", MINOR,
          "feature '" + o.name() + "' deprecated since " + n.deprecated().since()
              + n.deprecated().replacementFeature().map(r -> ", use '" + r + "' instead").orElse("")));
    } else if (o.isDeprecated() && !n.isDeprecated()) {
      out.add(new Change(p + ".deprecated", "feature-undeprecated", MINOR,
          "feature '" + o.name() + "' is no longer deprecated"));
    } else if (!Objects.equals(o.deprecated(), n.deprecated())) {
      out.add(new Change(p + ".deprecated", "deprecation-changed", PATCH, "deprecation note changed"));
    }
  }

  private static String window(Feature f) {
    return f.aggregate().windowLength().map(Durations::format).orElse("all history");
  }

  private void quality(FeatureSetContract oc, FeatureSetContract nc, List<Change> out) {
    Map<String, QualityRule> olds = byName(oc.quality(), r -> r.field() + ":" + r.rule());
    Map<String, QualityRule> news = byName(nc.quality(), r -> r.field() + ":" + r.rule());
    for (var e : news.entrySet()) {
      QualityRule old = olds.get(e.getKey());
      String path = "quality." + e.getKey();
      if (old == null) {
        out.add(new Change(path, "quality-rule-added", MINOR,
            "rule " + e.getValue().rule() + " on '" + e.getValue().field() + "' added: may route more events to the DLQ"));
      } else if (!old.equals(e.getValue())) {
        out.add(new Change(path, "quality-rule-changed", MINOR,
            "rule changed from " + old + " to " + e.getValue() + ": may route more events to the DLQ"));
      }
    }
    for (var e : olds.entrySet()) {
      if (!news.containsKey(e.getKey())) {
        out.add(new Change("quality." + e.getKey(), "quality-rule-removed", MINOR,
            "rule " + e.getValue().rule() + " on '" + e.getValue().field() + "' removed: events it rejected are now accepted"));
      }
    }
  }

  private void sla(Sla o, Sla n, List<Change> out) {
    slaDuration(out, "sla.freshness", o.freshness(), n.freshness());
    slaDuration(out, "sla.latencyP99", o.latencyP99(), n.latencyP99());
    slaPercent(out, "sla.availability", o.availabilityPercent(), n.availabilityPercent());
    slaPercent(out, "sla.completeness", o.completenessPercent(), n.completenessPercent());
  }

  private static void slaDuration(List<Change> out, String path, Duration o, Duration n) {
    if (Objects.equals(o, n)) {
      return;
    }
    // a missing target is the weakest promise
    boolean weaker = n == null || (o != null && n.compareTo(o) > 0);
    out.add(new Change(path, weaker ? "sla-weakened" : "sla-tightened", weaker ? MAJOR : MINOR,
        path + " changed from " + (o == null ? "none" : Durations.format(o)) + " to "
            + (n == null ? "none" : Durations.format(n))));
  }

  private static void slaPercent(List<Change> out, String path, Double o, Double n) {
    if (Objects.equals(o, n)) {
      return;
    }
    boolean weaker = n == null || (o != null && n < o);
    out.add(new Change(path, weaker ? "sla-weakened" : "sla-tightened", weaker ? MAJOR : MINOR,
        path + " changed from " + (o == null ? "none" : o + "%") + " to " + (n == null ? "none" : n + "%")));
  }

  private void consumers(FeatureSetContract oc, FeatureSetContract nc, List<Change> out) {
    Map<String, Consumer> olds = byName(oc.consumers(), Consumer::name);
    Map<String, Consumer> news = byName(nc.consumers(), Consumer::name);
    news.forEach((name, c) -> {
      if (!olds.containsKey(name)) {
        out.add(new Change("consumers." + name, "consumer-added", MINOR, "consumer " + c + " added"));
      } else if (!olds.get(name).equals(c)) {
        out.add(new Change("consumers." + name, "consumer-changed", MINOR,
            "consumer changed from " + olds.get(name) + " to " + c));
      }
    });
    olds.forEach((name, c) -> {
      if (!news.containsKey(name)) {
        out.add(new Change("consumers." + name, "consumer-removed", MINOR, "consumer " + c + " removed"));
      }
    });
  }

  static String consumerList(List<Consumer> consumers) {
    return consumers.stream().map(Consumer::toString).collect(Collectors.joining(", "));
  }

  private static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
    Map<String, T> out = new LinkedHashMap<>();
    items.forEach(i -> out.put(name.apply(i), i));
    return out;
  }
}
