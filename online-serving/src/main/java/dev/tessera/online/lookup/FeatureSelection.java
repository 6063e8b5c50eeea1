package dev.tessera.online.lookup;

import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.api.TesseraException;
import dev.tessera.contracts.parser.Problems;
import dev.tessera.contracts.registry.ContractRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which features a lookup asks for, parsed from references such as {@code
 * customer_activity:txn_count_1h} and {@code merchant_risk:*}: grouped by feature set in the order
 * of first mention, each feature once. An unknown feature set or feature is NOT_FOUND, naming it.
 */
public record FeatureSelection(List<Part> parts) {
  /** The features of one feature set, in request order. */
  public record Part(FeatureSetContract contract, List<String> features) {}

  public static FeatureSelection parse(List<String> references, ContractRegistry registry) {
    if (references == null || references.isEmpty()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "features: expected at least one reference such as 'customer_activity:txn_count_1h' or 'customer_activity:*'");
    }
    Map<String, Set<String>> wanted = new LinkedHashMap<>();
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
      } else {
        throw new TesseraException(ErrorCode.NOT_FOUND, "Unknown feature '" + ref + "'" + Problems.didYouMean(feature, contract.featureNames())
            + " (features of " + setName + ": " + String.join(", ", contract.featureNames()) + ")");
      }
    }
    List<Part> parts = new ArrayList<>();
    wanted.forEach((name, features) -> parts.add(new Part(contracts.get(name), List.copyOf(features))));
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
