package dev.tessera.contracts.parser;

import dev.tessera.contracts.model.Aggregate;
import dev.tessera.contracts.model.AggregateFunction;
import dev.tessera.contracts.model.AvroEncoding;
import dev.tessera.contracts.model.Consumer;
import dev.tessera.contracts.model.ContractStatus;
import dev.tessera.contracts.model.Deprecation;
import dev.tessera.contracts.model.EntityKey;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.contracts.model.Owner;
import dev.tessera.contracts.model.QualityRule;
import dev.tessera.contracts.model.SemVer;
import dev.tessera.contracts.model.Sla;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.avro.Schema;

/**
 * Reads a contract file into a {@link ContractDraft}: YAML syntax, shapes, required and unknown
 * keys, names, durations, versions and enums, and loads the source's Avro schema. Cross-field
 * rules live in {@code ContractValidator}.
 */
public final class ContractParser {
  /** Names of feature sets, features and keys; {@code __} is reserved as a column separator. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  public static final String NAME_EXPECTED =
      "expected lower_snake_case matching [a-z][a-z0-9_]*, at most 63 characters, without '__'";

  /**
   * Parses {@code file}. {@code displayName} is how problems name the file (usually the path as
   * the user typed it).
   */
  public ContractDraft parse(Path file, String displayName) {
    SourceMap sourceMap = new SourceMap();
    Problems problems = new Problems(displayName, sourceMap);
    ContractDraft draft = new ContractDraft(file, sourceMap, problems);
    YamlMap top = YamlDocument.read(file, "contract", problems, sourceMap);
    if (top == null) {
      return draft;
    }
    readContract(top, draft);
    return draft;
  }

  private void readContract(YamlMap top, ContractDraft d) {
    expectConstant(top, "apiVersion", FeatureSetContract.API_VERSION);
    expectConstant(top, "kind", FeatureSetContract.KIND);
    d.name = name(top, "name", true);
    String version = top.string("version", true);
    if (version != null) {
      d.version =
          SemVer.tryParse(version)
              .orElseGet(
                  () -> {
                    top.error(
                        "version", "Cannot parse version '" + version + "': " + SemVer.EXPECTED);
                    return null;
                  });
    }
    if (top.has("status")) {
      d.status = top.enumValue("status", false, ContractStatus.class, ContractStatus::yamlName);
    }
    if (top.has("sunset")) {
      String sunset = top.string("sunset", false);
      if (sunset != null) {
        try {
          d.sunset = java.time.LocalDate.parse(sunset);
        } catch (java.time.format.DateTimeParseException e) {
          top.error("sunset", "Cannot parse sunset '" + sunset + "': expected a date YYYY-MM-DD");
        }
      }
    }
    if (top.has("replacement")) {
      d.replacement = top.text("replacement", false);
      if (d.replacement != null && !d.replacement.matches("[a-z][a-z0-9_]*@[1-9][0-9]*")) {
        top.error("replacement", "Cannot use replacement '" + d.replacement + "': expected <feature set>@<major>, e.g. customer_activity@2");
        d.replacement = null;
      }
    }
    d.description = top.text("description", true);
    YamlMap owner = top.map("owner", true);
    if (owner != null) {
      String team = owner.text("team", true);
      String email = owner.text("email", true);
      if (email != null && !email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
        owner.error("email", "Cannot use email '" + email + "': expected name@domain");
        email = null;
      }
      owner.finish();
      if (team != null && email != null) {
        d.owner = new Owner(team, email);
      }
    }
    if (top.has("tags")) {
      d.tags = top.stringMap("tags", false, false);
    }
    readEntity(top.map("entity", true), d);
    readSource(top.map("source", true), d);
    if (top.has("windowHop")) {
      d.windowHop = top.duration("windowHop", false);
    }
    d.ttl = top.duration("ttl", false);
    for (YamlMap.Item item : top.list("features", true)) {
      YamlMap f = top.mapItem(item);
      if (f != null) {
        Feature feature = readFeature(f);
        if (feature != null) {
          d.features.put(item.index(), feature);
        }
      }
    }
    for (YamlMap.Item item : top.list("quality", false)) {
      YamlMap q = top.mapItem(item);
      if (q != null) {
        QualityRule rule = readQualityRule(q);
        if (rule != null) {
          d.quality.put(item.index(), rule);
        }
      }
    }
    YamlMap sla = top.map("sla", false);
    if (sla != null) {
      Duration freshness = sla.duration("freshness", false);
      Double availability = sla.percent("availability");
      Duration latency = sla.duration("latencyP99", false);
      Double completeness = sla.percent("completeness");
      sla.finish();
      d.sla = new Sla(freshness, availability, latency, completeness);
    }
    for (YamlMap.Item item : top.list("consumers", false)) {
      YamlMap c = top.mapItem(item);
      if (c != null) {
        String name = c.text("name", true);
        String team = c.text("team", true);
        c.finish();
        if (name != null && team != null) {
          d.consumers.put(item.index(), new Consumer(name, team));
        }
      }
    }
    top.finish();
  }

  private void readEntity(YamlMap entity, ContractDraft d) {
    if (entity == null) {
      return;
    }
    d.entityName = name(entity, "name", true);
    for (YamlMap.Item item : entity.list("keys", true)) {
      YamlMap k = entity.mapItem(item);
      if (k == null) {
        continue;
      }
      String name = name(k, "name", true);
      FeatureType type = k.enumValue("type", true, FeatureType.class, FeatureType::yamlName);
      if (type != null && !type.isKeyType()) {
        k.error("type", "Cannot use type '" + type + "' for an entity key: expected string, int or long");
        type = null;
      }
      k.finish();
      if (name != null && type != null) {
        d.entityKeys.put(item.index(), new EntityKey(name, type));
      }
    }
    entity.finish();
  }

  private void readSource(YamlMap source, ContractDraft d) {
    if (source == null) {
      return;
    }
    d.topic = source.text("topic", true);
    if (d.topic != null && !d.topic.matches("[A-Za-z0-9._-]{1,249}")) {
      source.error("topic", "Cannot use topic '" + d.topic + "': expected a Kafka topic name ([A-Za-z0-9._-], at most 249 characters)");
    }
    if (source.has("format")) {
      String format = source.text("format", false);
      if (format != null && !format.equals("avro")) {
        source.error("format", "Unknown format '" + format + "': expected avro");
      }
    }
    if (source.has("encoding")) {
      d.encoding = source.enumValue("encoding", false, AvroEncoding.class, AvroEncoding::yamlName);
    }
    d.schemaPath = source.text("schema", true);
    if (d.schemaPath != null) {
      d.schema = loadSchema(source, d);
    }
    d.eventTime = source.text("eventTime", true);
    d.sourceKeys = source.stringMap("keys", true, true);
    if (source.has("maxOutOfOrderness")) {
      d.maxOutOfOrderness = source.duration("maxOutOfOrderness", false);
    }
    if (source.has("allowedLateness")) {
      d.allowedLateness = source.duration("allowedLateness", false);
    }
    if (source.has("pii")) {
      for (YamlMap.Item item : source.list("pii", false)) {
        String field = source.itemString(item);
        if (field != null) {
          d.pii.put(item.path(), field);
        }
      }
    }
    source.finish();
  }

  private Schema loadSchema(YamlMap source, ContractDraft d) {
    Path dir = d.file.toAbsolutePath().getParent();
    Path schemaFile = dir.resolve(d.schemaPath).normalize();
    try {
      Schema schema = new Schema.Parser().parse(Files.readString(schemaFile));
      if (schema.getType() != Schema.Type.RECORD) {
        source.error(
            "schema",
            "Cannot use Avro schema '" + d.schemaPath + "': expected a record, got " + schema.getType());
        return null;
      }
      return schema;
    } catch (NoSuchFileException e) {
      source.error(
          "schema",
          "Cannot read Avro schema '" + d.schemaPath + "': file not found (looked at " + schemaFile + ")");
    } catch (IOException e) {
      source.error("schema", "Cannot read Avro schema '" + d.schemaPath + "': " + e.getMessage());
    } catch (org.apache.avro.AvroRuntimeException e) {
      source.error("schema", "Cannot parse Avro schema '" + d.schemaPath + "': " + e.getMessage());
    }
    return null;
  }

  private Feature readFeature(YamlMap f) {
    String name = name(f, "name", true);
    FeatureType type = f.enumValue("type", true, FeatureType.class, FeatureType::yamlName);
    String description = f.text("description", true);
    Aggregate aggregate = null;
    YamlMap agg = f.map("aggregate", true);
    if (agg != null) {
      AggregateFunction function =
          agg.enumValue("function", true, AggregateFunction.class, AggregateFunction::yamlName);
      String field = agg.text("field", function != null && function.needsField());
      Duration window = agg.duration("window", false);
      boolean windowOk = true;
      if (window != null && window.isZero()) {
        agg.error("window", "Cannot use window 0s: expected a positive duration, or no window for all history");
        windowOk = false;
      }
      agg.finish();
      boolean fieldOk = field != null || (function != null && !function.needsField());
      boolean windowParsed = window != null || !agg.has("window");
      if (function != null && fieldOk && windowOk && windowParsed) {
        aggregate = new Aggregate(function, field, window);
      }
    }
    Deprecation deprecation = null;
    boolean deprecationOk = true;
    YamlMap dep = f.map("deprecated", false);
    if (dep != null) {
      String since = dep.string("since", true);
      String replacement = dep.text("replacement", false);
      dep.finish();
      SemVer sinceVersion = since == null ? null : SemVer.tryParse(since).orElse(null);
      if (since != null && sinceVersion == null) {
        dep.error("since", "Cannot parse version '" + since + "': " + SemVer.EXPECTED);
      }
      deprecationOk = sinceVersion != null;
      deprecation = deprecationOk ? new Deprecation(sinceVersion, replacement) : null;
    }
    f.finish();
    if (name == null || type == null || description == null || aggregate == null || !deprecationOk) {
      return null;
    }
    return new Feature(name, type, description, aggregate, deprecation);
  }

  private QualityRule readQualityRule(YamlMap q) {
    String field = q.text("field", true);
    String rule = q.string("rule", true);
    QualityRule result = null;
    if (rule != null) {
      switch (rule) {
        case "not_null" -> result = field == null ? null : new QualityRule.NotNull(field);
        case "range" -> {
          Double min = q.number("min", false);
          Double max = q.number("max", false);
          boolean minOk = min != null || !q.has("min");
          boolean maxOk = max != null || !q.has("max");
          if (min == null && max == null && minOk && maxOk) {
            q.error("rule", "Cannot use rule 'range' without bounds: expected min, max or both");
          } else if (min != null && max != null && min > max) {
            q.error("min", "Cannot use range min " + fmt(min) + " above max " + fmt(max));
          } else if (field != null && minOk && maxOk) {
            result = new QualityRule.Range(field, min, max);
          }
        }
        case "accepted_values" -> {
          List<String> values = new ArrayList<>();
          List<YamlMap.Item> items = q.list("values", true);
          for (YamlMap.Item item : items) {
            String v = q.itemString(item);
            if (v != null) {
              values.add(v);
            }
          }
          if (field != null && !values.isEmpty() && values.size() == items.size()) {
            result = new QualityRule.AcceptedValues(field, values);
          }
        }
        case "regex" -> {
          String pattern = q.text("pattern", true);
          if (pattern != null) {
            try {
              Pattern.compile(pattern);
              result = field == null ? null : new QualityRule.Regex(field, pattern);
            } catch (PatternSyntaxException e) {
              q.error("pattern", "Cannot compile regex '" + pattern + "': " + e.getDescription());
            }
          }
        }
        default ->
            q.error(
                "rule",
                "Unknown rule '"
                    + rule
                    + "': expected one of not_null, range, accepted_values, regex"
                    + Problems.didYouMean(rule, List.of("not_null", "range", "accepted_values", "regex")));
      }
    }
    q.finish();
    return result;
  }

  private static String name(YamlMap map, String key, boolean required) {
    String value = map.text(key, required);
    if (value != null && (!NAME.matcher(value).matches() || value.contains("__"))) {
      map.error(key, "Cannot use name '" + value + "': " + NAME_EXPECTED);
      return null;
    }
    return value;
  }

  private static void expectConstant(YamlMap top, String key, String expected) {
    String value = top.text(key, true);
    if (value != null && !value.equals(expected)) {
      top.error(key, "Unsupported " + key + " '" + value + "': expected " + expected);
    }
  }

  static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
