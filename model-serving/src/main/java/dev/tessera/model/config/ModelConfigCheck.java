package dev.tessera.model.config;

import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.contracts.parser.Problems;
import dev.tessera.contracts.registry.ContractRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model config checked against the contracts, as the service does at start-up: every input
 * exists; its type can become a float tensor value; the config's entity keys cover each feature
 * set's entity keys; the config's {@code consumer} is listed by each contract it reads. The last
 * is how the data-contracts group sees which models read which features. Problems go to the
 * parse's {@link Problems}, at the input or key they concern.
 */
public final class ModelConfigCheck {
  private ModelConfigCheck() {}

  /** The contract each input reads, in input order (null where it does not resolve); problems added to {@code problems}. */
  public static List<FeatureSetContract> check(ModelConfig config, ContractRegistry registry, Problems problems) {
    List<FeatureSetContract> out = new ArrayList<>();
    Map<String, FeatureSetContract> read = new LinkedHashMap<>();
    for (int i = 0; i < config.inputs().size(); i++) {
      ModelConfig.Input input = config.inputs().get(i);
      String path = "inputs[" + i + "]";
      String fs = input.feature().featureSet();
      FeatureSetContract c = registry.resolve(fs).orElse(null);
      out.add(c);
      if (c == null) {
        problems.add(path, "Unknown feature set '" + fs + "' in input '" + input.feature() + "'" + Problems.didYouMean(fs, registry.references())
            + " (feature sets: " + String.join(", ", registry.references()) + ")");
        continue;
      }
      Feature f = c.feature(input.feature().feature()).orElse(null);
      if (f == null) {
        problems.add(path, "Unknown feature '" + input.feature() + "'" + Problems.didYouMean(input.feature().feature(), c.featureNames())
            + " (features of " + c.id() + ": " + String.join(", ", c.featureNames()) + ")");
        continue;
      }
      if (!becomesFloat(f.type())) {
        problems.add(path, "Input '" + input.feature() + "' is " + f.type().yamlName() + ": a model input must be a number or a boolean"
            + " (it becomes a float in the input tensor); encode it as a numeric feature in the contract");
      }
      read.putIfAbsent(c.majorId(), c);
    }
    for (FeatureSetContract c : read.values()) {
      List<String> uncovered = c.entity().keyNames().stream().filter(k -> !config.entityKeys().contains(k)).toList();
      if (!uncovered.isEmpty()) {
        problems.add("entity.keys", "Cannot read " + c.majorId() + ": it is keyed by " + c.entity().keyNames() + ", and the model's entity keys "
            + config.entityKeys() + " do not give " + uncovered + "; add them to entity.keys, or read a feature set keyed like the model");
      }
      if (c.consumers().stream().noneMatch(x -> x.name().equals(config.consumer()))) {
        problems.add("consumer", "Consumer '" + config.consumer() + "' is not listed by " + c.majorId() + " (its consumers: "
            + c.consumers().stream().map(x -> x.name()).toList() + "); add it to the contract's consumers through a contract PR");
      }
    }
    return out;
  }

  /** Whether a feature type can be a float tensor value. */
  static boolean becomesFloat(FeatureType t) {
    return t.isNumeric() || t == FeatureType.BOOLEAN;
  }
}
