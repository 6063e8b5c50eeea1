package dev.tessera.contracts.model;

import dev.tessera.errors.TesseraException;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.parser.Problems;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * A reference to features, as consumers write them everywhere (the lookup API, the SDK, {@code
 * tessera snapshot --features}): {@code <feature set>:<feature>}, or {@code <feature set>:*} for
 * all of them. The feature set is a name (its newest active major) or a pinned major, {@code
 * <name>@<major>}.
 */
public record FeatureRef(String featureSet, String feature) {
  public static final String ALL = "*";

  /** Parses {@code fs:feature} or {@code fs:*}; anything else is INVALID_ARGUMENT. */
  public static FeatureRef parse(String text) {
    int colon = text == null ? -1 : text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1 || text.indexOf(':', colon + 1) >= 0) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "'" + text + "' is not a feature reference; expected <feature set>:<feature> or <feature set>:*");
    }
    return new FeatureRef(text.substring(0, colon), text.substring(colon + 1));
  }

  public boolean all() {
    return feature.equals(ALL);
  }

  @Override
  public String toString() {
    return featureSet + ":" + feature;
  }

  /**
   * The features that {@code references} select, by contract in the order of first mention, each
   * feature once, {@code *} expanded in contract order.
   *
   * @param contracts the served contract of a name (throwing NOT_FOUND, naming it, when none)
   * @param keepUnknown whether a feature the contract does not have is selected anyway (a feature
   *     an earlier minor version removed, still readable); otherwise it is NOT_FOUND, with a did-you-mean
   */
  public static List<Selected> select(List<String> references, Function<String, FeatureSetContract> contracts,
      BiPredicate<FeatureSetContract, String> keepUnknown) {
    Map<String, FeatureSetContract> byName = new LinkedHashMap<>();
    Map<String, Set<String>> wanted = new LinkedHashMap<>();
    for (String text : references) {
      FeatureRef ref = parse(text);
      FeatureSetContract contract = byName.computeIfAbsent(ref.featureSet(), contracts);
      Set<String> features = wanted.computeIfAbsent(ref.featureSet(), c -> new LinkedHashSet<>());
      if (ref.all()) {
        features.addAll(contract.featureNames());
      } else if (contract.feature(ref.feature()).isPresent() || keepUnknown.test(contract, ref.feature())) {
        features.add(ref.feature());
      } else {
        throw new TesseraException(ErrorCode.NOT_FOUND, "Unknown feature '" + ref + "'" + Problems.didYouMean(ref.feature(), contract.featureNames())
            + " (features of " + contract.id() + ": " + String.join(", ", contract.featureNames()) + ")");
      }
    }
    return wanted.entrySet().stream().map(e -> new Selected(e.getKey(), byName.get(e.getKey()), List.copyOf(e.getValue()))).toList();
  }

  /**
   * The features selected of one contract, in the order they were named; {@code name} is the
   * feature set as the references wrote it ({@code customer_activity} or {@code customer_activity@1}).
   */
  public record Selected(String name, FeatureSetContract contract, List<String> features) {}

  /**
   * A column-name-safe form of a feature set as referenced: the name, or {@code <name>_v<major>}
   * for a pinned major (files and tables take no {@code @}).
   */
  public static String columnPrefix(String featureSet) {
    return featureSet.replace("@", "_v");
  }
}
