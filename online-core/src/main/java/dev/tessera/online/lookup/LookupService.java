package dev.tessera.online.lookup;

import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.contracts.model.SemVer;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.parser.Problems;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.rows.MissingReason;
import dev.tessera.contracts.rows.WriterSchema;
import dev.tessera.contracts.rows.WriterSchemas;
import dev.tessera.contracts.schema.SourceTypes;
import dev.tessera.online.arrow.ArrowBatches;
import dev.tessera.online.catalog.ServiceStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Lookups of the served feature sets: resolving names and feature references, reading the store
 * (one round trip per feature set), answering features a minor version removed as missing, and
 * counting outcomes. Entity counts are bounded by {@code tessera.online.max-entities}.
 */
public final class LookupService {
  /** One entity's values of each selected feature set, in selection order. */
  public record EntityResult(Map<String, String> entity, Map<String, FeatureLookup.Result> featureSets) {}

  private final ContractRegistry registry;
  private final FeatureLookup lookup;
  private final WriterSchemas schemas;
  private final ServiceStats stats;
  private final int maxEntities;

  public LookupService(ContractRegistry registry, FeatureLookup lookup, WriterSchemas schemas, ServiceStats stats, int maxEntities) {
    this.registry = registry;
    this.lookup = lookup;
    this.schemas = schemas;
    this.stats = stats;
    this.maxEntities = maxEntities;
  }

  /**
   * The served contract a feature set reference names: {@code <name>} (its newest active major)
   * or {@code <name>@<major>}; NOT_FOUND naming it, or GONE after a sunset.
   */
  public FeatureSetContract contract(String name) {
    return answering(registry.resolve(name).orElseThrow(() -> new TesseraException(ErrorCode.NOT_FOUND, "Unknown feature set '" + name + "'"
        + Problems.didYouMean(name, names()) + " (served: " + String.join(", ", names()) + ")")));
  }

  /** The contract, unless it is a retired major or a deprecated one past its sunset: then GONE, naming the replacement. */
  static FeatureSetContract answering(FeatureSetContract c) {
    if (c.status() == dev.tessera.contracts.model.ContractStatus.RETIRED) {
      throw new TesseraException(ErrorCode.GONE, "Feature set " + c.majorId() + " is retired"
          + (c.replacement() == null ? "" : ": read " + c.replacement() + " instead"));
    }
    if (c.sunsetReached(java.time.LocalDate.now(java.time.ZoneOffset.UTC))) {
      throw new TesseraException(ErrorCode.GONE, "Feature set " + c.majorId() + " passed its sunset " + c.sunset()
          + (c.replacement() == null ? "" : ": read " + c.replacement() + " instead"));
    }
    return c;
  }

  /** Every served major of every feature set. */
  public List<FeatureSetContract> served() {
    return registry.allMajors();
  }

  private List<String> names() {
    return registry.references();
  }

  /** Parses feature references against the served contracts; features a minor version removed are answered as missing. */
  public FeatureSelection select(List<String> references) {
    FeatureSelection selection = FeatureSelection.parse(references, registry, this::removedFeatures);
    selection.parts().forEach(p -> answering(p.contract()));
    return selection;
  }

  /**
   * Features of this major that an earlier minor version wrote and the served contract no longer
   * has (removed after deprecation), with their type, from the writer schemas the store keeps.
   */
  Map<String, FeatureType> removedFeatures(FeatureSetContract contract) {
    Map<String, FeatureType> out = new LinkedHashMap<>();
    for (WriterSchema w : schemas.all()) {
      if (!w.featureSet().equals(contract.name()) || SemVer.tryParse(w.version()).map(SemVer::major).orElse(-1) != contract.majorVersion()) {
        continue;
      }
      for (org.apache.avro.Schema.Field f : w.schema().getFields()) {
        String name = f.name();
        boolean metadata = name.equals(FeatureSetContract.EVENT_TIME_COLUMN) || name.startsWith("tessera_")
            || contract.entity().keyNames().contains(name);
        if (!metadata && contract.feature(name).isEmpty()) {
          SourceTypes.featureTypeOf(f.schema()).ifPresent(t -> out.put(name, t));
        }
      }
    }
    return out;
  }

  /** Every entity's values of every selected feature set. */
  public List<EntityResult> lookup(FeatureSelection selection, List<Map<String, String>> entities) {
    checkSize(entities);
    long now = System.currentTimeMillis();
    List<Map<String, FeatureLookup.Result>> perEntity = new ArrayList<>(entities.size());
    entities.forEach(e -> perEntity.add(new LinkedHashMap<>()));
    for (FeatureSelection.Part part : selection.parts()) {
      List<FeatureLookup.Result> results = lookup.lookupAll(part.contract(), entities, now);
      Tally tally = new Tally();
      for (int i = 0; i < results.size(); i++) {
        FeatureLookup.Result r = results.get(i);
        tally.add(r.status());
        perEntity.get(i).put(part.name(), part.features().equals(part.contract().featureNames()) ? r : selected(part, r));
      }
      stats.outcomes(part.contract().majorId(), tally.outcomes());
    }
    List<EntityResult> out = new ArrayList<>(entities.size());
    for (int i = 0; i < entities.size(); i++) {
      out.add(new EntityResult(entities.get(i), perEntity.get(i)));
    }
    return out;
  }

  /** The selected features of a result, those a minor version removed answered as missing ({@code REMOVED}). */
  private static FeatureLookup.Result selected(FeatureSelection.Part part, FeatureLookup.Result r) {
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, String> reasons = new LinkedHashMap<>();
    for (String f : part.features()) {
      values.put(f, r.values().get(f));
      if (part.removed().containsKey(f)) {
        reasons.put(f, MissingReason.REMOVED.code());
      } else if (r.missing().containsKey(f)) {
        reasons.put(f, r.missing().get(f));
      }
    }
    return new FeatureLookup.Result(r.status(), values, reasons, r.eventTime(), r.ageMs(), r.rowVersion());
  }

  /** Every entity's values of every selected feature set as an Arrow IPC stream ({@link ArrowBatches}), decoded straight into vectors. */
  public byte[] lookupArrow(FeatureSelection selection, List<Map<String, String>> entities, BufferAllocator allocator) {
    return ArrowBatches.write(allocator, selection, read(selection, entities));
  }

  /** As {@link #lookupArrow}, as vectors, with no serialization: the in-process path (embedded features). The caller closes them. */
  public org.apache.arrow.vector.VectorSchemaRoot lookupVectors(FeatureSelection selection, List<Map<String, String>> entities,
      BufferAllocator allocator) {
    return ArrowBatches.vectors(allocator, selection, read(selection, entities));
  }

  private List<FeatureLookup.Rows> read(FeatureSelection selection, List<Map<String, String>> entities) {
    checkSize(entities);
    long now = System.currentTimeMillis();
    List<FeatureLookup.Rows> parts = new ArrayList<>(selection.parts().size());
    for (FeatureSelection.Part part : selection.parts()) {
      FeatureLookup.Rows rows = lookup.read(part.contract(), entities, now);
      Tally tally = new Tally();
      for (int i = 0; i < rows.rows().size(); i++) {
        tally.add(rows.status(i));
      }
      stats.outcomes(part.contract().majorId(), tally.outcomes());
      parts.add(rows);
    }
    return parts;
  }

  /** An answered request of {@code consumer}: its latency per feature set, and who still reads what (per consumer and major). */
  public void recordAnswer(String consumer, FeatureSelection selection, String endpoint, long nanos) {
    selection.parts().forEach(p -> {
      stats.latency(p.contract().majorId(), endpoint, nanos);
      stats.read(consumer, p.contract());
    });
  }

  private void checkSize(List<Map<String, String>> entities) {
    if (entities.size() > maxEntities) {
      throw new TesseraException(ErrorCode.PAYLOAD_TOO_LARGE,
          "entities: " + entities.size() + " entities in one request, at most " + maxEntities + " (tessera.online.max-entities)");
    }
    if (entities.isEmpty()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "entities: expected at least one entity");
    }
  }

  private static final class Tally {
    long ok;
    long missing;
    long expired;

    void add(FeatureLookup.Status s) {
      switch (s) {
        case OK -> ok++;
        case MISSING -> missing++;
        case EXPIRED -> expired++;
      }
    }

    ServiceStats.Outcomes outcomes() {
      return new ServiceStats.Outcomes(ok, missing, expired);
    }
  }
}
