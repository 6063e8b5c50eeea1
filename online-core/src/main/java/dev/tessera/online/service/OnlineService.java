package dev.tessera.online.service;

import dev.tessera.config.CoreOptions;
import dev.tessera.config.OnlineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.rows.WriterSchemas;
import dev.tessera.online.catalog.ContractHistory;
import dev.tessera.online.catalog.DlqMonitor;
import dev.tessera.online.catalog.ModelReaders;
import dev.tessera.online.catalog.StatusHistory;
import dev.tessera.online.catalog.FeatureSetCatalog;
import dev.tessera.online.catalog.ServiceStats;
import dev.tessera.online.lookup.FeatureLookup;
import dev.tessera.online.lookup.LookupService;
import dev.tessera.online.materialize.MaterializerSupervisor;
import dev.tessera.online.readiness.Readiness;
import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.OnlineStores;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The online feature service without its HTTP layer, put together from configuration: the served
 * contracts, the {@link OnlineStore}, the changelog materializer ({@link MaterializerSupervisor},
 * when this replica writes), {@link Readiness}, {@link LookupService} and the {@link
 * FeatureSetCatalog}. It only wires them and starts and stops them in order; the REST layer ({@code
 * dev.tessera.online.rest}) calls the parts, and tests can drive them directly.
 */
public final class OnlineService implements AutoCloseable {
  private final TesseraConfig config;
  private final ContractRegistry registry;
  private final OnlineStore store;
  private final ServiceStats stats;
  private final Readiness readiness;
  private final LookupService lookups;
  private final FeatureSetCatalog catalog;
  private final dev.tessera.kafka.KafkaClients kafka;
  private final WriterSchemas schemas;
  private final DlqMonitor dlq;
  private final ContractHistory history;
  private final StatusHistory statusHistory = new StatusHistory();
  private final List<ModelReaders.Model> models;
  private MaterializerSupervisor materializer;
  /** Events each major's DLQ received in the last hour, by reason ({@code tessera_dlq_rejected_last_hour}): what alerts and dashboards read. */
  private final io.micrometer.core.instrument.MultiGauge dlqLastHour;

  public OnlineService(TesseraConfig config, MeterRegistry meters) {
    this(config, ContractRegistry.fromDirectory(Path.of(config.get(CoreOptions.CONTRACTS_DIR))), meters);
  }

  /** Serving only {@code registry}'s contracts (an embedded reader: the feature sets of one model). */
  public OnlineService(TesseraConfig config, ContractRegistry registry, MeterRegistry meters) {
    this.config = config;
    this.registry = registry;
    this.store = OnlineStores.open(config);
    this.schemas = new WriterSchemas(store::schema);
    store.schemas().forEach(schemas::register);
    this.kafka = dev.tessera.kafka.KafkaClients.of(config);
    this.stats = new ServiceStats(registry.allMajors(), meters);
    stats.loadUsage(store.usage());
    this.readiness = new Readiness(registry.allMajors(), store, stats, kafka);
    this.lookups = new LookupService(registry, new FeatureLookup(store, schemas), schemas, stats, config.get(OnlineOptions.MAX_ENTITIES));
    this.dlq = kafka.bootstrapServers() == null ? null : new DlqMonitor(kafka, registry.allMajors());
    this.catalog = new FeatureSetCatalog(registry.allMajors(), stats, readiness::ready, c -> dlq == null ? null : dlq.status(c));
    this.history = new ContractHistory(store, registry);
    this.models = ModelReaders.read(config.find(OnlineOptions.MODELS_DIR).orElse(null));
    this.dlqLastHour = io.micrometer.core.instrument.MultiGauge.builder("tessera.dlq.rejected.last.hour")
        .description("Events rejected in the last hour (by when they were rejected), by feature set major and reason").register(meters);
  }

  /** Starts the materializer (when this replica writes and there is a changelog) and the readiness checks. */
  public OnlineService start() {
    // a refused credential ends start-up with one clear line; unreachable brokers are retried by the readers
    kafka.checkCredentials(java.time.Duration.ofSeconds(15))
        .ifPresent(w -> org.slf4j.LoggerFactory.getLogger(OnlineService.class).warn("{} (the readers retry)", w));
    if (kafka.bootstrapServers() != null && config.get(OnlineOptions.MATERIALIZE)) {
      Map<String, String> byTopic = new HashMap<>();
      registry.allMajors().forEach(c -> byTopic.put(c.changelogTopic(), c.majorId()));
      String group = config.get(OnlineOptions.STORE) == OnlineOptions.Store.ROCKSDB ? null : config.get(OnlineOptions.MATERIALIZER_GROUP);
      materializer = MaterializerSupervisor.of(kafka, registry.allMajors(), store, schemas, group, (topic, eventTime, visibleAt) -> {
        String featureSet = byTopic.get(topic);
        if (featureSet != null && readiness.ready()) { // start-up catch-up replays old rows: their lag is not freshness
          stats.applied(featureSet, Math.max(0, visibleAt - eventTime));
        }
      }).start();
    }
    readiness.start(config.get(OnlineOptions.LAG_INTERVAL));
    usageSaver.scheduleWithFixedDelay(this::saveUsage, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
    try {
      history.record();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(OnlineService.class).warn("Cannot keep the served contracts in the history: {}", e.toString());
    }
    long sampleEvery = config.get(OnlineOptions.STATUS_SAMPLE_INTERVAL).toMillis();
    usageSaver.scheduleAtFixedRate(this::sampleStatus, 0, Math.max(100, sampleEvery), java.util.concurrent.TimeUnit.MILLISECONDS);
    if (dlq != null) {
      dlq.start();
    }
    return this;
  }

  public LookupService lookups() {
    return lookups;
  }

  public FeatureSetCatalog catalog() {
    return catalog;
  }

  /** The served contract versions ever kept in the store, with the diff of each. */
  public ContractHistory history() {
    return history;
  }

  /** The live status of each served major over the last hour. */
  public StatusHistory statusHistory() {
    return statusHistory;
  }

  /** The model services of {@code tessera.online.models-dir} (none without it). */
  public List<ModelReaders.Model> models() {
    return models;
  }

  /** The newest events {@code c} rejected (none without Kafka). */
  public List<dev.tessera.kafka.DeadLetters.DeadLetter> deadLetterSamples(FeatureSetContract c) {
    return dlq == null ? List.of() : dlq.samples(c);
  }

  /** The served contracts (every major). */
  public ContractRegistry registry() {
    return registry;
  }

  private void sampleStatus() {
    try {
      long now = System.currentTimeMillis();
      List<io.micrometer.core.instrument.MultiGauge.Row<?>> rows = new java.util.ArrayList<>();
      for (FeatureSetContract c : registry.allMajors()) {
        dev.tessera.online.catalog.LiveStatus live = catalog.describe(c, true).live();
        statusHistory.sample(c.majorId(), live, now);
        if (live.dlq() != null) {
          live.dlq().lastHour().forEach((reason, n) -> rows.add(io.micrometer.core.instrument.MultiGauge.Row.of(
              io.micrometer.core.instrument.Tags.of("feature_set", c.name(), "major", Integer.toString(c.majorVersion()), "reason", reason), n)));
        }
      }
      dlqLastHour.register(rows, true);
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(OnlineService.class).warn("Cannot sample the live status: {}", e.toString());
    }
  }

  public Readiness readiness() {
    return readiness;
  }

  /** Whether the materializer thread (when this replica writes) is alive. */
  public boolean live() {
    return materializer == null || materializer.alive();
  }

  /** Changelog records this replica has applied since start (0 after a restart that had nothing new). */
  public long appliedRecords() {
    return materializer == null ? 0 : materializer.appliedRecords();
  }

  public OnlineStore store() {
    return store;
  }

  public TesseraConfig config() {
    return config;
  }

  public FeatureSetContract contract(String name) {
    return lookups.contract(name);
  }

  private final java.util.concurrent.ScheduledExecutorService usageSaver = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "tessera-usage");
    t.setDaemon(true);
    return t;
  });

  /** Adds this replica's reads to the usage kept in the store (every 5 s, and at close). */
  private void saveUsage() {
    try {
      stats.saveUsage(store);
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(OnlineService.class).warn("Cannot save consumer usage to the online store (retried): {}", e.toString());
    }
  }

  @Override
  public void close() {
    usageSaver.shutdownNow();
    saveUsage();
    if (dlq != null) {
      dlq.close();
    }
    readiness.close();
    if (materializer != null) {
      materializer.close();
    }
    store.close();
  }
}
