package dev.tessera.online.lookup;

import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.api.FeatureType;
import dev.tessera.contracts.api.TesseraException;
import dev.tessera.contracts.parser.Problems;
import dev.tessera.contracts.registry.ContractRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Which features a lookup asks for, parsed from references such as {@code
 * customer_activity:txn_count_1h} and {@code merchant_risk:*}: grouped by feature set in the order
 * of first mention, each feature once. An unknown feature set or feature is NOT_FOUND, naming it.
 */
public record FeatureSelection(List<Part> parts) {
  /**
   * The features of one feature set, in request order; {@code removed} are those of them that a
   * minor version removed (they were deprecated), with the type they had: answered as missing.
   */
  public record Part(FeatureSetContract contract, List<String> features, Map<String, FeatureType> removed) {
    public Part {
      features = List.copyOf(features);
      removed = Map.copyOf(removed);
    }

    public Part(FeatureSetContract contract, List<String> features) {
      this(contract, features, Map.of());
    }

    /** The type of a selected feature (live or removed). */
    public FeatureType type(String feature) {
      return contract.feature(feature).map(f -> f.type()).orElseGet(() -> removed.get(feature));
    }
  }

  public static FeatureSelection parse(List<String> references, ContractRegistry registry) {
    return parse(references, registry, c -> Map.of());
  }

  /**
   * Parses references; a feature the contract no longer has but {@code removedFeatures} knows (an
   * earlier minor version wrote it) is selected as removed rather than refused, so a consumer that
   * still names it keeps getting answers.
   */
  public static FeatureSelection parse(List<String> references, ContractRegistry registry,
      Function<FeatureSetContract, Map<String, FeatureType>> removedFeatures) {
    if (references == null || references.isEmpty()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "features: expected at least one reference such as 'customer_activity:txn_count_1h' or 'customer_activity:*'");
    }
    Map<String, Set<String>> wanted = new LinkedHashMap<>();
    Map<String, Map<String, FeatureType>> removed = new LinkedHashMap<>();
    Map<String, FeatureSetContract> contracts = new LinkedHashMap<>();
    for (String ref : references) {
      int colon = ref == null ? -1 : ref.indexOf(':');
      if (colon <= 0 || colon == ref.length() - 1) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
            "features: '" + ref + "' is not a feature reference; expected <feature set>:<feature> or <feature set>:*");
      }
      String setName = ref.substring(0, colon);
      String feature = ref.substring(colon + 1);
      FeatureSetContract contract = contracts.computeIfAbsent(setName, n -> registry.find(n).orElseThrow(() -> new TesseraException(
          ErrorCode.NOT_FOUND, "Unknown feature set '" + n + "'" + Problems.didYouMean(n, names(registry))
              + " (served: " + String.join(", ", names(registry)) + ")")));
      Set<String> features = wanted.computeIfAbsent(setName, n -> new LinkedHashSet<>());
      if (feature.equals("*")) {
        features.addAll(contract.featureNames());
      } else if (contract.feature(feature).isPresent()) {
        features.add(feature);
      } else if (removedFeatures.apply(contract).containsKey(feature)) {
        features.add(feature);
        removed.computeIfAbsent(setName, n -> new LinkedHashMap<>()).put(feature, removedFeatures.apply(contract).get(feature));
      } else {
        throw new TesseraException(ErrorCode.NOT_FOUND, "Unknown feature '" + ref + "'" + Problems.didYouMean(feature, contract.featureNames())
            + " (features of " + setName + ": " + String.join(", ", contract.featureNames()) + ")");
      }
    }
    List<Part> parts = new ArrayList<>();
    wanted.forEach((name, features) -> parts.add(new Part(contracts.get(name), List.copyOf(features), removed.getOrDefault(name, Map.of()))));
    return new FeatureSelection(List.copyOf(parts));
  }

  /** Every feature of one feature set. */
  public static FeatureSelection all(FeatureSetContract contract) {
    return new FeatureSelection(List.of(new Part(contract, contract.featureNames())));
  }

  private static List<String> names(ContractRegistry registry) {
    return registry.all().stream().map(FeatureSetContract::name).toList();
  }
}
