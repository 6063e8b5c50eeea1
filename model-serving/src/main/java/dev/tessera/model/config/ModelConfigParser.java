package dev.tessera.model.config;

import dev.tessera.contracts.model.FeatureRef;
import dev.tessera.contracts.model.SemVer;
import dev.tessera.contracts.parser.ContractParser;
import dev.tessera.contracts.parser.Problems;
import dev.tessera.contracts.parser.SourceMap;
import dev.tessera.contracts.parser.YamlDocument;
import dev.tessera.contracts.parser.YamlMap;
import dev.tessera.errors.TesseraException;
import dev.tessera.model.config.ModelConfig.Batching;
import dev.tessera.model.config.ModelConfig.Input;
import dev.tessera.model.config.ModelConfig.Missing;
import dev.tessera.model.config.ModelConfig.Provider;
import dev.tessera.model.config.ModelConfig.Runtime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a model service config ({@code kind: ModelService}) with the contract reader's YAML
 * machinery: every problem with {@code file:line:column}, unknown keys with a did-you-mean, all
 * problems in one pass. Shape (docs/model-serving.md):
 *
 * <pre>
 * apiVersion: tessera/v1
 * kind: ModelService
 * name: fraud-scorer
 * version: 1.0.0
 * consumer: fraud-scoring
 * artifact: model.onnx               # relative to this file
 * entity: {keys: [customer_id]}
 * inputs:                            # in the model's column order
 *   - customer_activity:txn_count_1h
 *   - {feature: customer_profile:credit_limit, missing: reject}
 * missing: {default: 0.0}            # or: missing: reject
 * batching: {maxBatchSize: 256, maxWait: 2ms}
 * runtime: {provider: cpu}           # or cuda, with deviceId
 * features: {mode: remote}           # or embedded
 * candidate: {artifact, version, mode: shadow|canary, weight}
 * promotion: {minRequests, maxP99, maxDisagreement, output}
 * </pre>
 */
public final class ModelConfigParser {
  /** What a parse found: the config (null when any problem was found) and the problems. */
  public record Result(ModelConfig config, Problems problems, SourceMap sourceMap) {}

  public Result parse(Path file) {
    SourceMap sourceMap = new SourceMap();
    Problems problems = new Problems(file.toString(), sourceMap);
    YamlMap top = YamlDocument.read(file, "model config", problems, sourceMap);
    if (top == null) {
      return new Result(null, problems, sourceMap);
    }
    constant(top, "apiVersion", ModelConfig.API_VERSION);
    constant(top, "kind", ModelConfig.KIND);
    String name = top.text("name", true);
    if (name != null && !ContractParser.NAME.matcher(name.replace('-', '_')).matches()) {
      top.error("name", "Invalid name '" + name + "': expected lower case letters, digits, '_' and '-', starting with a letter");
    }
    String versionText = top.string("version", true);
    SemVer version = versionText == null ? null : SemVer.tryParse(versionText).orElse(null);
    if (versionText != null && version == null) {
      top.error("version", "Invalid version '" + versionText + "': expected MAJOR.MINOR.PATCH such as 1.0.0");
    }
    String consumer = top.text("consumer", true);
    String artifactText = top.text("artifact", true);
    Path artifact = artifactText == null ? null : file.toAbsolutePath().getParent().resolve(artifactText).normalize();
    List<String> keys = new ArrayList<>();
    YamlMap entity = top.map("entity", true);
    if (entity != null) {
      for (YamlMap.Item item : entity.list("keys", true)) {
        String k = entity.itemString(item);
        if (k != null) {
          keys.add(k);
        }
      }
      entity.finish();
    }
    Missing fallback = missing(top, "missing", Missing.value(0.0));
    List<Input> inputs = new ArrayList<>();
    for (YamlMap.Item item : top.list("inputs", true)) {
      String ref;
      Missing policy = null;
      YamlMap asMap = item.node() instanceof org.yaml.snakeyaml.nodes.MappingNode ? top.mapItem(item) : null;
      if (asMap != null) {
        ref = asMap.text("feature", true);
        policy = asMap.has("missing") ? missingValue(asMap, "missing") : null;
        asMap.finish();
      } else {
        ref = top.itemString(item);
      }
      if (ref == null) {
        continue;
      }
      try {
        FeatureRef r = FeatureRef.parse(ref);
        if (r.all()) {
          problems.add(item.path(), "Invalid input '" + ref + "': name one feature (<feature set>:<feature>); a model's columns are explicit");
          continue;
        }
        inputs.add(new Input(r, policy));
      } catch (TesseraException e) {
        problems.add(item.path(), "Invalid input '" + ref + "': expected <feature set>:<feature>, such as customer_activity:txn_count_1h");
      }
    }
    Batching batching = Batching.DEFAULT;
    YamlMap b = top.has("batching") ? top.map("batching", false) : null;
    if (b != null) {
      Double size = b.number("maxBatchSize", false);
      Duration wait = b.duration("maxWait", false);
      if (size != null && (size < 1 || size != Math.rint(size) || size > 100_000)) {
        b.error("maxBatchSize", "Invalid maxBatchSize " + size + ": expected a whole number from 1 to 100000");
        size = null;
      }
      batching = new Batching(size == null ? Batching.DEFAULT.maxBatchSize() : size.intValue(), wait == null ? Batching.DEFAULT.maxWait() : wait);
      b.finish();
    }
    Runtime runtime = Runtime.DEFAULT;
    YamlMap rt = top.has("runtime") ? top.map("runtime", false) : null;
    if (rt != null) {
      String providerText = rt.text("provider", false);
      Provider provider = Provider.CPU;
      if (providerText != null) {
        try {
          provider = Provider.valueOf(providerText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          rt.error("provider", "Unknown provider '" + providerText + "': expected cpu or cuda");
        }
      }
      Double device = rt.number("deviceId", false);
      if (device != null && (device < 0 || device != Math.rint(device))) {
        rt.error("deviceId", "Invalid deviceId " + device + ": expected a GPU index, 0 or more");
        device = null;
      }
      if (device != null && provider != Provider.CUDA) {
        rt.error("deviceId", "deviceId is for provider cuda; provider is " + provider.yamlName());
      }
      runtime = new Runtime(provider, device == null ? 0 : device.intValue());
      rt.finish();
    }
    ModelConfig.Candidate candidate = top.has("candidate") ? candidate(top.map("candidate", false), file, version) : null;
    ModelConfig.Promotion promotion = top.has("promotion") ? promotion(top.map("promotion", false)) : ModelConfig.Promotion.DEFAULT;
    ModelConfig.FeaturesMode features = ModelConfig.FeaturesMode.REMOTE;
    YamlMap f = top.has("features") ? top.map("features", false) : null;
    if (f != null) {
      String mode = f.text("mode", true);
      if (mode != null) {
        try {
          features = ModelConfig.FeaturesMode.valueOf(mode.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          f.error("mode", "Unknown features mode '" + mode + "': expected remote (the online service over HTTP) or embedded"
              + " (a local RocksDB materialized from the model's changelogs)");
        }
      }
      f.finish();
    }
    top.finish();
    ModelConfig config = problems.isEmpty()
        ? new ModelConfig(file, name, version, consumer, artifact, keys, inputs, fallback, batching, runtime, candidate, promotion, features)
        : null;
    return new Result(config, problems, sourceMap);
  }

  /** {@code candidate: {artifact, version, mode: shadow|canary, weight: 10%}}: weight for canary only, a version other than the primary's. */
  private static ModelConfig.Candidate candidate(YamlMap c, Path file, SemVer primary) {
    if (c == null) {
      return null;
    }
    String artifactText = c.text("artifact", true);
    String versionText = c.string("version", true);
    SemVer version = versionText == null ? null : SemVer.tryParse(versionText).orElse(null);
    if (versionText != null && version == null) {
      c.error("version", "Invalid version '" + versionText + "': expected MAJOR.MINOR.PATCH such as 1.1.0");
    } else if (version != null && version.equals(primary)) {
      c.error("version", "The candidate's version " + version + " is the primary's: give the candidate its own version");
    }
    String modeText = c.text("mode", true);
    ModelConfig.Mode mode = null;
    if (modeText != null) {
      try {
        mode = ModelConfig.Mode.valueOf(modeText.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        c.error("mode", "Unknown mode '" + modeText + "': expected shadow (scored and logged, not returned) or canary (answers a share of requests)");
      }
    }
    double weight = 0;
    if (mode == ModelConfig.Mode.CANARY) {
      Double w = c.has("weight") ? c.percent("weight") : null;
      if (w == null && !c.has("weight")) {
        c.error("mode", "A canary needs weight: the share of requests it answers, e.g. weight: 10%");
      }
      weight = w == null ? 0 : w / 100.0;
    } else if (mode == ModelConfig.Mode.SHADOW && c.has("weight")) {
      c.error("weight", "A shadow candidate answers no request: weight is for mode canary");
    }
    c.finish();
    if (artifactText == null || version == null || mode == null) {
      return null;
    }
    return new ModelConfig.Candidate(file.toAbsolutePath().getParent().resolve(artifactText).normalize(), version, mode, weight);
  }

  /** {@code promotion: {minRequests, maxP99, maxDisagreement, output}}; defaults from {@link ModelConfig.Promotion#DEFAULT}. */
  private static ModelConfig.Promotion promotion(YamlMap p) {
    ModelConfig.Promotion d = ModelConfig.Promotion.DEFAULT;
    if (p == null) {
      return d;
    }
    Double min = p.number("minRequests", false);
    if (min != null && (min < 0 || min != Math.rint(min))) {
      p.error("minRequests", "Invalid minRequests " + min + ": expected a whole number, 0 or more");
      min = null;
    }
    Duration p99 = p.duration("maxP99", false);
    Double disagreement = p.number("maxDisagreement", false);
    if (disagreement != null && disagreement < 0) {
      p.error("maxDisagreement", "Invalid maxDisagreement " + disagreement + ": expected a mean absolute difference, 0 or more");
      disagreement = null;
    }
    String output = p.text("output", false);
    p.finish();
    return new ModelConfig.Promotion(min == null ? d.minRequests() : min.longValue(), p99 == null ? d.maxP99() : p99,
        output, disagreement == null ? d.maxDisagreement() : disagreement);
  }

  /** {@code missing: reject} or {@code missing: {default: <number> | reject}}. */
  private static Missing missing(YamlMap top, String key, Missing fallback) {
    if (!top.has(key)) {
      return fallback;
    }
    if (top.valueNode(key) instanceof org.yaml.snakeyaml.nodes.MappingNode) {
      YamlMap m = top.map(key, true);
      Missing d = m.has("default") ? missingValue(m, "default") : fallback;
      m.finish();
      return d == null ? fallback : d;
    }
    Missing d = missingValue(top, key);
    return d == null ? fallback : d;
  }

  /** A number, or {@code reject}. */
  private static Missing missingValue(YamlMap map, String key) {
    String text = map.string(key, true);
    if (text == null) {
      return null;
    }
    if (text.equals("reject")) {
      return Missing.REJECT;
    }
    try {
      return Missing.value(Double.parseDouble(text));
    } catch (NumberFormatException e) {
      map.error(key, "Invalid " + key + " '" + text + "': expected a number (the value the model sees) or reject (answer 422 for that entity)");
      return null;
    }
  }

  private static void constant(YamlMap top, String key, String expected) {
    String v = top.string(key, true);
    if (v != null && !v.equals(expected)) {
      top.error(key, "Invalid " + key + " '" + v + "': expected " + expected);
    }
  }
}
