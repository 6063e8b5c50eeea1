package dev.tessera.online.lookup;

import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureRef;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.parser.Problems;
import dev.tessera.contracts.registry.ContractRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Which features a lookup asks for, parsed from references such as {@code
 * customer_activity:txn_count_1h} and {@code merchant_risk:*}: grouped by feature set in the order
 * of first mention, each feature once. An unknown feature set or feature is NOT_FOUND, naming it.
 */
public record FeatureSelection(List<Part> parts) {
  /**
   * The features of one feature set, in request order; {@code name} is the feature set as the
   * request named it ({@code customer_activity}, or a pinned major {@code customer_activity@1}):
   * the answer uses it. {@code removed} are the selected features that a minor version removed
   * (they were deprecated), with the type they had: answered as missing.
   */
  public record Part(String name, FeatureSetContract contract, List<String> features, Map<String, FeatureType> removed) {
    public Part {
      features = List.copyOf(features);
      removed = Map.copyOf(removed);
    }

    public Part(FeatureSetContract contract, List<String> features) {
      this(contract.name(), contract, features, Map.of());
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
    Map<String, Map<String, FeatureType>> removed = new LinkedHashMap<>();
    List<FeatureRef.Selected> selected = FeatureRef.select(references, n -> registry.resolve(n).orElseThrow(() -> new TesseraException(
        ErrorCode.NOT_FOUND, "Unknown feature set '" + n + "'" + Problems.didYouMean(n, names(registry))
            + " (served: " + String.join(", ", names(registry)) + ")")), (contract, feature) -> {
              FeatureType type = removedFeatures.apply(contract).get(feature);
              if (type != null) {
                removed.computeIfAbsent(contract.majorId(), n -> new LinkedHashMap<>()).put(feature, type);
              }
              return type != null;
            });
    return new FeatureSelection(selected.stream()
        .map(s -> new Part(s.name(), s.contract(), s.features(), removed.getOrDefault(s.contract().majorId(), Map.of()))).toList());
  }

  /** Every feature of one feature set, answered under {@code name} (as the request named it). */
  public static FeatureSelection all(String name, FeatureSetContract contract) {
    return new FeatureSelection(List.of(new Part(name, contract, contract.featureNames(), Map.of())));
  }

  /** Every feature of one feature set, answered under its name. */
  public static FeatureSelection all(FeatureSetContract contract) {
    return all(contract.name(), contract);
  }

  private static List<String> names(ContractRegistry registry) {
    return registry.references();
  }
}
