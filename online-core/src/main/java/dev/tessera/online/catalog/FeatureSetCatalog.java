package dev.tessera.online.catalog;

import dev.tessera.contracts.model.FeatureSetContract;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** The catalog of served feature sets: each contract as a {@link FeatureSetView} with its live status. */
public final class FeatureSetCatalog {
  private final List<FeatureSetContract> served;
  private final ServiceStats stats;
  private final BooleanSupplier ready;
  private final java.util.function.Function<FeatureSetContract, LiveStatus.Dlq> dlq;

  /** @param dlq a feature set's DLQ numbers (null for none) */
  public FeatureSetCatalog(List<FeatureSetContract> served, ServiceStats stats, BooleanSupplier ready,
      java.util.function.Function<FeatureSetContract, LiveStatus.Dlq> dlq) {
    this.served = List.copyOf(served);
    this.stats = stats;
    this.ready = ready;
    this.dlq = dlq;
  }

  /** Every served feature set; {@code readable} says which the caller may read. */
  public List<FeatureSetView> all(Predicate<FeatureSetContract> readable) {
    return served.stream().map(c -> describe(c, readable.test(c))).toList();
  }

  public FeatureSetView describe(FeatureSetContract c, boolean readable) {
    return FeatureSetView.of(c, readable, stats.status(c, ready.getAsBoolean()).withDlq(dlq.apply(c)));
  }
}
