package dev.tessera.model.predict;

import dev.tessera.config.OnlineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.model.config.ModelConfig;
import dev.tessera.online.lookup.FeatureSelection;
import dev.tessera.online.service.OnlineService;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Features read in-process ({@code features: {mode: embedded}}): online-core's service, as a
 * library, materializes the changelogs of just the model's feature sets into a local RocksDB
 * ({@code <home>/models/<name>/features}) and answers the batch's lookup as Arrow vectors with no
 * network hop and no serialization: Venice's Da Vinci idea, applied to a feature store. Values,
 * TTL and missing features are exactly the online service's (the same code). Until the store has
 * caught up with the changelogs, lookups are answered 503 and the service is not ready.
 */
public final class EmbeddedFeatures implements FeatureSource {
  private final OnlineService service;
  private final Map<List<String>, FeatureSelection> selections = new ConcurrentHashMap<>();

  public EmbeddedFeatures(TesseraConfig tessera, ModelConfig config, ContractRegistry registry, MeterRegistry meters) {
    Set<String> read = config.inputs().stream().map(i -> registry.resolve(i.feature().featureSet()).orElseThrow())
        .map(FeatureSetContract::majorId).collect(Collectors.toSet());
    Map<String, String> overrides = new HashMap<>(tessera.values());
    overrides.put(OnlineOptions.STORE.key(), "rocksdb");
    overrides.put(OnlineOptions.MATERIALIZE.key(), "true");
    overrides.put(OnlineOptions.ROCKSDB_DIR.key(), tessera.home().resolve(Path.of("models", config.name(), "features")).toString());
    TesseraConfig embedded = TesseraConfig.resolve(tessera.home(), null, overrides);
    this.service = new OnlineService(embedded, registry.only(c -> read.contains(c.majorId())), meters).start();
  }

  @Override
  public VectorSchemaRoot fetch(List<String> features, List<Map<String, String>> entities, BufferAllocator allocator) {
    service.readiness().require();
    FeatureSelection selection = selections.computeIfAbsent(features, f -> service.lookups().select(f));
    return service.lookups().lookupVectors(selection, entities, allocator);
  }

  @Override
  public boolean ready() {
    return service.readiness().ready();
  }

  @Override
  public void close() {
    service.close();
  }
}
