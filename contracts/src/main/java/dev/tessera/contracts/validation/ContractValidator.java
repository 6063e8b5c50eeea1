package dev.tessera.contracts.validation;

import dev.tessera.contracts.model.Aggregate;
import dev.tessera.contracts.model.AggregateFunction;
import dev.tessera.contracts.model.Durations;
import dev.tessera.contracts.model.ContractStatus;
import dev.tessera.contracts.model.EntityKey;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.contracts.model.QualityRule;
import dev.tessera.contracts.parser.ContractDraft;
import dev.tessera.contracts.parser.Problems;
import dev.tessera.contracts.schema.SourceTypes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;

/**
 * Cross-field rules of a contract: windows against the hop, aggregate fields and types against the
 * source schema, key mappings, event time, quality rules, deprecations and duplicates. Runs on a
 * {@link ContractDraft} so it can report problems even when other parts failed to parse; a check
 * whose inputs failed to parse is skipped (their own problem is already reported).
 */
public final class ContractValidator {

  /** Adds every problem found to {@code draft.problems}. */
  public void validate(ContractDraft draft) {
    new Run(draft).all();
  }

  private static final class Run {
    private final ContractDraft d;
    private final Problems problems;

    Run(ContractDraft d) {
      this.d = d;
      this.problems = d.problems;
    }

    void all() {
      checkDurations();
      checkEntityKeys();
      checkEventTime();
      checkPii();
      checkSunset();
      checkFeatures();
      checkQuality();
      checkConsumers();
    }

    private void checkDurations() {
      if (d.windowHop != null && d.windowHop.isZero()) {
        problems.add("windowHop", "Cannot use windowHop 0s: expected a positive duration");
      }
      if (d.ttl != null && d.ttl.isZero()) {
        problems.add("ttl", "Cannot use ttl 0s: expected a positive duration, or no ttl to keep values forever");
      }
    }

    private void checkEntityKeys() {
      Map<String, Integer> seen = new HashMap<>();
      for (var e : d.entityKeys.entrySet()) {
        Integer first = seen.putIfAbsent(e.getValue().name(), e.getKey());
        if (first != null) {
          problems.add(
              "entity.keys[" + e.getKey() + "].name",
              "Duplicate entity key '" + e.getValue().name() + "' (first at entity.keys[" + first + "])");
        }
      }
      if (d.sourceKeys == null) {
        return;
      }
      for (EntityKey key : d.entityKeys.values()) {
        String field = d.sourceKeys.get(key.name());
        if (field == null) {
          problems.add(
              "source.keys",
              "Cannot find a mapping for entity key '" + key.name() + "': expected source.keys."
                  + key.name() + ": <source field>");
          continue;
        }
        Schema.Field sourceField = sourceField("source.keys." + key.name(), field);
        if (sourceField == null) {
          continue;
        }
        Optional<FeatureType> type = SourceTypes.featureTypeOf(sourceField.schema());
        if (type.isEmpty() || !keyCompatible(key.type(), type.get())) {
          problems.add(
              "source.keys." + key.name(),
              "Cannot map entity key '" + key.name() + "' (" + key.type() + ") to source field '"
                  + field + "' of type " + SourceTypes.describe(sourceField.schema())
                  + ": expected " + (key.type() == FeatureType.LONG ? "int or long" : key.type().yamlName()));
        }
      }
      if (!d.entityKeys.isEmpty()) {
        Set<String> names = d.entityKeys.values().stream().map(EntityKey::name).collect(Collectors.toSet());
        for (String mapped : d.sourceKeys.keySet()) {
          if (!names.contains(mapped)) {
            problems.add(
                "source.keys." + mapped,
                "Unknown entity key '" + mapped + "': expected one of " + String.join(", ", names)
                    + Problems.didYouMean(mapped, names));
          }
        }
      }
    }

    private static boolean keyCompatible(FeatureType key, FeatureType field) {
      return key == field || (key == FeatureType.LONG && field == FeatureType.INT);
    }

    private void checkEventTime() {
      if (d.eventTime == null) {
        return;
      }
      Schema.Field field = sourceField("source.eventTime", d.eventTime);
      if (field != null
          && SourceTypes.featureTypeOf(field.schema()).orElse(null) != FeatureType.TIMESTAMP) {
        problems.add(
            "source.eventTime",
            "Cannot use field '" + d.eventTime + "' as event time: its type is "
                + SourceTypes.describe(field.schema())
                + ", expected long with logicalType timestamp-millis or timestamp-micros");
      }
    }

    /** A sunset and a replacement belong to a major being phased out. */
    private void checkSunset() {
      boolean phasingOut = d.status == ContractStatus.DEPRECATED || d.status == ContractStatus.RETIRED;
      if (d.sunset != null && !phasingOut) {
        problems.add("sunset", "Cannot set a sunset on an active feature set: set status: deprecated with it");
      }
      if (d.replacement != null && !phasingOut) {
        problems.add("replacement", "Cannot name a replacement of an active feature set: set status: deprecated with it");
      }
    }

    /** Every {@code source.pii} entry names a field of the source schema, once. */
    private void checkPii() {
      Set<String> seen = new java.util.HashSet<>();
      d.pii.forEach((path, field) -> {
        if (!seen.add(field)) {
          problems.add(path, "Duplicate PII field '" + field + "' in source.pii");
        } else {
          sourceField(path, field);
        }
      });
    }

    private void checkFeatures() {
      Map<String, Integer> seen = new HashMap<>();
      Set<String> keyNames = d.entityKeys.values().stream().map(EntityKey::name).collect(Collectors.toSet());
      for (var e : d.features.entrySet()) {
        String path = "features[" + e.getKey() + "]";
        Feature f = e.getValue();
        Integer first = seen.putIfAbsent(f.name(), e.getKey());
        if (first != null) {
          problems.add(
              path + ".name",
              "Duplicate feature name '" + f.name() + "' (first defined at features[" + first + "])");
        }
        if (keyNames.contains(f.name())
            || f.name().equals(FeatureSetContract.EVENT_TIME_COLUMN)
            || f.name().startsWith("tessera_")) {
          problems.add(
              path + ".name",
              "Cannot use feature name '" + f.name()
                  + "': it collides with an entity key, event_time, or the reserved prefix tessera_");
        }
        checkWindow(path, f.aggregate());
        checkAggregateTypes(path, f);
        f.deprecation().ifPresent(dep -> {
          if (d.version != null && dep.since().compareTo(d.version) > 0) {
            problems.add(
                path + ".deprecated.since",
                "Cannot deprecate since " + dep.since() + ": it is after the contract version " + d.version);
          }
          dep.replacementFeature().ifPresent(r -> {
            boolean exists = d.features.values().stream().anyMatch(o -> o.name().equals(r));
            if (r.equals(f.name()) || !exists) {
              problems.add(
                  path + ".deprecated.replacement",
                  "Cannot use replacement '" + r + "': expected another feature of this set"
                      + Problems.didYouMean(r, d.features.values().stream().map(Feature::name).toList()));
            }
          });
        });
      }
    }

    private void checkWindow(String path, Aggregate aggregate) {
      Duration window = aggregate.window();
      Duration hop = d.windowHop;
      if (window == null || hop == null || hop.isZero()) {
        return;
      }
      if (window.toMillis() % hop.toMillis() != 0) {
        problems.add(
            path + ".aggregate.window",
            "Cannot use window " + Durations.format(window) + ": expected a multiple of windowHop "
                + Durations.format(hop));
      }
    }

    private void checkAggregateTypes(String path, Feature f) {
      AggregateFunction fn = f.aggregate().function();
      FeatureType input = null;
      if (f.aggregate().field() != null) {
        Schema.Field field = sourceField(path + ".aggregate.field", f.aggregate().field());
        if (field == null) {
          return;
        }
        Optional<FeatureType> type = SourceTypes.featureTypeOf(field.schema());
        if (type.isEmpty()) {
          problems.add(
              path + ".aggregate.field",
              "Cannot aggregate field '" + field.name() + "' of type " + SourceTypes.describe(field.schema())
                  + ": expected string, int, long, float, double, boolean or a timestamp");
          return;
        }
        input = type.get();
        if (!AggregateTypes.inputTypes(fn).contains(input)) {
          problems.add(
              path + ".aggregate.field",
              "Cannot " + fn + " field '" + field.name() + "' of type " + input + ": expected "
                  + names(AggregateTypes.inputTypes(fn)));
          return;
        }
      } else if (d.schema == null && fn.needsField()) {
        return;
      }
      Set<FeatureType> allowed = AggregateTypes.resultTypes(fn, input);
      if (!allowed.contains(f.type())) {
        String of = input == null ? "events" : input + " field '" + f.aggregate().field() + "'";
        problems.add(
            path + ".type",
            "Cannot type " + fn + " of " + of + " as " + f.type() + ": expected " + names(allowed));
      }
    }

    private void checkQuality() {
      for (var e : d.quality.entrySet()) {
        String path = "quality[" + e.getKey() + "]";
        QualityRule rule = e.getValue();
        Schema.Field field = sourceField(path + ".field", rule.field());
        if (field == null) {
          continue;
        }
        FeatureType type = SourceTypes.featureTypeOf(field.schema()).orElse(null);
        String expected = null;
        if (rule instanceof QualityRule.Range && (type == null || !type.isNumeric())) {
          expected = "a numeric field";
        } else if (rule instanceof QualityRule.Regex && type != FeatureType.STRING) {
          expected = "a string field";
        } else if (rule instanceof QualityRule.AcceptedValues
            && type != FeatureType.STRING
            && (type == null || !type.isIntegral())) {
          expected = "a string, int or long field";
        }
        if (expected != null) {
          problems.add(
              path + ".field",
              "Cannot apply rule '" + rule.rule() + "' to field '" + field.name() + "' of type "
                  + SourceTypes.describe(field.schema()) + ": expected " + expected);
        }
      }
    }

    private void checkConsumers() {
      Map<String, Integer> seen = new HashMap<>();
      for (var e : d.consumers.entrySet()) {
        Integer first = seen.putIfAbsent(e.getValue().name(), e.getKey());
        if (first != null) {
          problems.add(
              "consumers[" + e.getKey() + "].name",
              "Duplicate consumer '" + e.getValue().name() + "' (first at consumers[" + first + "])");
        }
      }
    }

    /** The named source field, or null after reporting that it is missing. */
    private Schema.Field sourceField(String path, String name) {
      if (d.schema == null) {
        return null;
      }
      Schema.Field field = d.schema.getField(name);
      if (field == null) {
        List<String> names = d.schema.getFields().stream().map(Schema.Field::name).toList();
        problems.add(
            path,
            "Cannot find field '" + name + "' in source schema '" + d.schemaPath + "'"
                + Problems.didYouMean(name, names) + " (fields: " + String.join(", ", names) + ")");
      }
      return field;
    }

    private static String names(Set<FeatureType> types) {
      return types.stream().map(FeatureType::yamlName).collect(Collectors.joining(" or "));
    }
  }
}
