package dev.tessera.online.service;

import dev.tessera.config.CoreOptions;
import dev.tessera.config.OnlineOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.api.TesseraException;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.api.FeatureType;
import dev.tessera.contracts.api.SemVer;
import dev.tessera.contracts.rows.MissingReason;
import dev.tessera.contracts.rows.WriterSchema;
import dev.tessera.contracts.rows.WriterSchemas;
import dev.tessera.contracts.schema.SourceTypes;
import dev.tessera.online.lookup.FeatureLookup;
import dev.tessera.online.lookup.FeatureSelection;
import dev.tessera.online.materialize.ChangelogMaterializer;
import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.RedisOnlineStore;
import dev.tessera.online.store.RocksDbOnlineStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online feature service without its HTTP layer: the contracts it serves, the store, the
 * changelog materializer thread, readiness (caught up with the changelog end offsets as of
 * start-up), live status and metrics. The Quarkus resources in {@code dev.tessera.online.api}
 * are a thin layer over this class, which tests can also drive directly.
 */
public final class OnlineService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineService.class);

  /** One entity's values of each selected feature set, in selection order. */
  public record EntityResult(Map<String, String> entity, Map<String, FeatureLookup.Result> featureSets) {}

  private final TesseraConfig config;
  private final ContractRegistry registry;
  private final OnlineStore store;
  private final WriterSchemas schemas;
  private final FeatureLookup lookup;
  private final MeterRegistry meters;
  private final String bootstrap;
  private final Map<String, FeatureSetContract> byTopic = new HashMap<>();
  private final Map<String, LiveStats> stats = new ConcurrentHashMap<>();
  private final Map<String, Timer> freshnessTimers = new ConcurrentHashMap<>();
  private final Map<String, Timer> latencyTimers = new ConcurrentHashMap<>();
  private final Map<String, Counter> lookupCounters = new ConcurrentHashMap<>();
  private final ScheduledExecutorService monitor;
  private final long startedAt = System.currentTimeMillis();
  private volatile boolean running = true;
  private volatile boolean ready;
  private volatile Map<TopicPartition, Long> readyTarget;
  private volatile String notReadyReason = "reading the changelog end offsets";
  private volatile long readyAt = -1;
  private volatile Thread materializerThread;
  private volatile ChangelogMaterializer materializer;
  private Admin admin;

  public OnlineService(TesseraConfig config, MeterRegistry meters) {
    this.config = config;
    this.meters = meters;
    this.registry = ContractRegistry.fromDirectory(Path.of(config.get(CoreOptions.CONTRACTS_DIR)));
    this.store = openStore(config);
    this.schemas = new WriterSchemas(store::schema);
    store.schemas().forEach(schemas::register);
    this.lookup = new FeatureLookup(store, schemas);
    this.bootstrap = config.find(CoreOptions.KAFKA_BOOTSTRAP_SERVERS).orElse(null);
    for (FeatureSetContract c : registry.all()) {
      byTopic.put(c.changelogTopic(), c);
      LiveStats s = new LiveStats();
      stats.put(c.name(), s);
      Gauge.builder("tessera.changelog.lag", s.changelogLag, v -> v.get() < 0 ? Double.NaN : v.get())
          .tag("feature_set", c.name()).description("Changelog records not yet in the online store").baseUnit("records").register(meters);
      freshnessTimers.put(c.name(), Timer.builder("tessera.freshness.lag").tag("feature_set", c.name())
          .description("Event time to visible online, per applied changelog row (after start-up catch-up)")
          .publishPercentiles(0.5, 0.99).publishPercentileHistogram().register(meters));
    }
    this.monitor = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "tessera-changelog-lag"));
  }

  /** Starts the materializer (when this replica writes) and the lag monitor. */
  public OnlineService start() {
    if (bootstrap == null) {
      LOG.warn("tessera.kafka.bootstrap-servers is empty: serving the store as it is, no changelog");
      ready = true;
      readyAt = System.currentTimeMillis();
      return this;
    }
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    admin = Admin.create(p);
    if (config.get(OnlineOptions.MATERIALIZE)) {
      materializerThread = daemon(this::materializeLoop, "tessera-materializer");
      materializerThread.start();
    }
    long interval = config.get(OnlineOptions.LAG_INTERVAL).toMillis();
    monitor.scheduleWithFixedDelay(this::refreshLag, 0, interval, TimeUnit.MILLISECONDS);
    return this;
  }

  private void materializeLoop() {
    long lastRefresh = System.nanoTime();
    while (running) {
      try {
        if (materializer == null) {
          List<FeatureSetContract> served = registry.all();
          materializer = config.get(OnlineOptions.STORE) == OnlineOptions.Store.ROCKSDB
              ? ChangelogMaterializer.allPartitions(bootstrap, served, store, schemas)
              : ChangelogMaterializer.consumerGroup(bootstrap, served, store, schemas, config.get(OnlineOptions.MATERIALIZER_GROUP));
          materializer.listener(this::applied);
        }
        if (System.nanoTime() - lastRefresh > TimeUnit.SECONDS.toNanos(10)) {
          materializer.refreshPartitions();
          lastRefresh = System.nanoTime();
        }
        materializer.pollOnce(Duration.ofMillis(100));
      } catch (WakeupException e) {
        // close() woke us
      } catch (RuntimeException e) {
        if (!running) {
          break;
        }
        // The consumer position may be ahead of what the store holds: start over from the stored offsets.
        LOG.warn("Changelog materializer failed, restarting from the stored offsets in 1s: {}", e.toString());
        closeMaterializer();
        sleep(1000);
      }
    }
    closeMaterializer();
  }

  private void closeMaterializer() {
    ChangelogMaterializer m = materializer;
    materializer = null;
    if (m != null) {
      try {
        m.close();
      } catch (RuntimeException e) {
        LOG.debug("closing the materializer", e);
      }
    }
  }

  private void applied(String topic, long eventTime, long visibleAt) {
    if (!ready) {
      return; // start-up catch-up replays old rows; their lag is not freshness
    }
    FeatureSetContract c = byTopic.get(topic);
    if (c != null) {
      long lag = Math.max(0, visibleAt - eventTime);
      stats.get(c.name()).recordLag(lag);
      freshnessTimers.get(c.name()).record(lag, TimeUnit.MILLISECONDS);
    }
  }

  /** Reads the end offsets; sets the readiness target once, then the lag; declares ready when caught up. */
  void refreshLag() {
    try {
      Map<TopicPartition, Long> end = endOffsets();
      if (readyTarget == null) {
        readyTarget = end;
        LOG.info("Readiness waits for {} changelog partitions up to their end offsets {}", end.size(), end);
      }
      Map<String, Map<Integer, Long>> stored = new HashMap<>();
      Map<String, Long> lagBySet = new HashMap<>();
      registry.all().forEach(c -> lagBySet.put(c.name(), 0L));
      for (var e : end.entrySet()) {
        long at = stored.computeIfAbsent(e.getKey().topic(), store::offsets).getOrDefault(e.getKey().partition(), 0L);
        lagBySet.merge(byTopic.get(e.getKey().topic()).name(), Math.max(0, e.getValue() - at), Long::sum);
      }
      lagBySet.forEach((name, lag) -> stats.get(name).changelogLag.set(lag));
      if (!ready) {
        List<String> behind = new ArrayList<>();
        for (var e : readyTarget.entrySet()) {
          long at = stored.computeIfAbsent(e.getKey().topic(), store::offsets).getOrDefault(e.getKey().partition(), 0L);
          if (at < e.getValue()) {
            behind.add(e.getKey() + " at " + at + " of " + e.getValue());
          }
        }
        if (behind.isEmpty()) {
          ready = true;
          readyAt = System.currentTimeMillis();
          LOG.info("Online store caught up with the changelog in {} ms: ready", readyAt - startedAt);
        } else {
          notReadyReason = "catching up with the changelog: " + String.join(", ", behind);
        }
      }
    } catch (RuntimeException e) {
      notReadyReason = "cannot read the changelog end offsets: " + e.getMessage();
      LOG.warn("Cannot read changelog end offsets: {}", e.toString());
    }
  }

  private Map<TopicPartition, Long> endOffsets() {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    try {
      for (FeatureSetContract c : registry.all()) {
        TopicDescription d;
        try {
          d = admin.describeTopics(List.of(c.changelogTopic())).allTopicNames().get(10, TimeUnit.SECONDS).get(c.changelogTopic());
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof UnknownTopicOrPartitionException) {
            continue; // ingest has not created it yet: nothing to wait for
          }
          throw e;
        }
        d.partitions().forEach(p -> request.put(new TopicPartition(c.changelogTopic(), p.partition()), OffsetSpec.latest()));
      }
      Map<TopicPartition, Long> out = new HashMap<>();
      if (!request.isEmpty()) {
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> r = admin.listOffsets(request).all().get(10, TimeUnit.SECONDS);
        r.forEach((tp, info) -> out.put(tp, info.offset()));
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e.getCause() == null ? e.toString() : e.getCause().toString(), e);
    }
  }

  // ---- lookups -------------------------------------------------------------------------------

  public ContractRegistry registry() {
    return registry;
  }

  /** The served contract {@code name}, or NOT_FOUND naming it. */
  public FeatureSetContract contract(String name) {
    return registry.find(name).orElseThrow(() -> new TesseraException(ErrorCode.NOT_FOUND, "Unknown feature set '" + name + "'"
        + dev.tessera.contracts.parser.Problems.didYouMean(name, names()) + " (served: " + String.join(", ", names()) + ")"));
  }

  private List<String> names() {
    return registry.all().stream().map(FeatureSetContract::name).toList();
  }

  /** Parses feature references against the served contracts; features a minor version removed are answered as missing. */
  public FeatureSelection select(List<String> references) {
    return FeatureSelection.parse(references, registry, this::removedFeatures);
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

  /** Looks up every entity for every selected feature set (one store round trip per feature set). */
  public List<EntityResult> lookup(FeatureSelection selection, List<Map<String, String>> entities) {
    checkSize(entities);
    long now = System.currentTimeMillis();
    List<Map<String, FeatureLookup.Result>> perEntity = new ArrayList<>(entities.size());
    entities.forEach(e -> perEntity.add(new LinkedHashMap<>()));
    for (FeatureSelection.Part part : selection.parts()) {
      List<FeatureLookup.Result> results = lookup.lookupAll(part.contract(), entities, now);
      long ok = 0;
      long missing = 0;
      long expired = 0;
      for (int i = 0; i < results.size(); i++) {
        FeatureLookup.Result r = results.get(i);
        switch (r.status()) {
          case OK -> ok++;
          case MISSING -> missing++;
          case EXPIRED -> expired++;
        }
        if (!part.features().equals(part.contract().featureNames())) {
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
          r = new FeatureLookup.Result(r.status(), values, reasons, r.eventTime(), r.ageMs(), r.rowVersion());
        }
        perEntity.get(i).put(part.contract().name(), r);
      }
      outcomes(part.contract().name(), ok, missing, expired);
    }
    List<EntityResult> out = new ArrayList<>(entities.size());
    for (int i = 0; i < entities.size(); i++) {
      out.add(new EntityResult(entities.get(i), perEntity.get(i)));
    }
    return out;
  }

  /**
   * Looks up every entity for every selected feature set and writes the answer as an Arrow IPC
   * stream (see {@link dev.tessera.online.arrow.ArrowBatches}), decoding rows straight into vectors.
   */
  public byte[] lookupArrow(FeatureSelection selection, List<Map<String, String>> entities, org.apache.arrow.memory.BufferAllocator allocator) {
    checkSize(entities);
    long now = System.currentTimeMillis();
    List<FeatureLookup.Rows> parts = new ArrayList<>(selection.parts().size());
    for (FeatureSelection.Part part : selection.parts()) {
      FeatureLookup.Rows rows = lookup.read(part.contract(), entities, now);
      long ok = 0;
      long missing = 0;
      long expired = 0;
      for (int i = 0; i < rows.rows().size(); i++) {
        switch (rows.status(i)) {
          case OK -> ok++;
          case MISSING -> missing++;
          case EXPIRED -> expired++;
        }
      }
      outcomes(part.contract().name(), ok, missing, expired);
      parts.add(rows);
    }
    return dev.tessera.online.arrow.ArrowBatches.write(allocator, selection, parts);
  }

  private void outcomes(String featureSet, long ok, long missing, long expired) {
    LiveStats s = stats.get(featureSet);
    s.ok.add(ok);
    s.missing.add(missing);
    s.expired.add(expired);
    count(featureSet, "ok", ok);
    count(featureSet, "missing", missing);
    count(featureSet, "expired", expired);
  }

  private void checkSize(List<Map<String, String>> entities) {
    int max = config.get(OnlineOptions.MAX_ENTITIES);
    if (entities.size() > max) {
      throw new TesseraException(ErrorCode.PAYLOAD_TOO_LARGE,
          "entities: " + entities.size() + " entities in one request, at most " + max + " (tessera.online.max-entities)");
    }
    if (entities.isEmpty()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "entities: expected at least one entity");
    }
  }

  private void count(String featureSet, String status, long n) {
    if (n > 0) {
      lookupCounters.computeIfAbsent(featureSet + "|" + status, k -> Counter.builder("tessera.lookups").tag("feature_set", featureSet)
          .tag("status", status).description("Entity lookups by outcome (missing and expired included)").register(meters)).increment(n);
    }
  }

  /** Records a request's latency for each feature set it read. */
  public void recordLatency(FeatureSelection selection, String endpoint, long nanos) {
    for (FeatureSelection.Part p : selection.parts()) {
      latencyTimers.computeIfAbsent(p.contract().name() + "|" + endpoint, k -> Timer.builder("tessera.lookup.latency")
          .tag("feature_set", p.contract().name()).tag("endpoint", endpoint).description("Lookup request latency")
          .publishPercentiles(0.5, 0.99).publishPercentileHistogram().register(meters)).record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  // ---- status ---------------------------------------------------------------------------------

  public boolean ready() {
    return ready;
  }

  public String notReadyReason() {
    return ready ? null : notReadyReason;
  }

  /** Whether the materializer thread (when this replica writes) is alive. */
  public boolean live() {
    Thread t = materializerThread;
    return !running || t == null || t.isAlive();
  }

  /** Live status of one feature set, for the catalog. */
  public Map<String, Object> liveStatus(FeatureSetContract c) {
    LiveStats s = stats.get(c.name());
    Map<String, Object> freshness = new LinkedHashMap<>();
    freshness.put("p50_ms", s.lagPercentile(0.50));
    freshness.put("p99_ms", s.lagPercentile(0.99));
    freshness.put("samples", s.samples());
    c.sla().freshnessTarget().ifPresent(t -> {
      freshness.put("sla_ms", t.toMillis());
      Long p99 = s.lagPercentile(0.99);
      freshness.put("within_sla", p99 == null ? null : p99 <= t.toMillis());
    });
    Map<String, Object> changelog = new LinkedHashMap<>();
    changelog.put("topic", c.changelogTopic());
    long lag = s.changelogLag.get();
    changelog.put("lag_records", lag < 0 ? null : lag);
    Map<String, Object> completeness = new LinkedHashMap<>();
    long ok = s.ok.sum();
    long missing = s.missing.sum();
    long expired = s.expired.sum();
    completeness.put("lookups", ok + missing + expired);
    completeness.put("ok", ok);
    completeness.put("missing", missing);
    completeness.put("expired", expired);
    completeness.put("ratio", ok + missing + expired == 0 ? null : (double) ok / (ok + missing + expired));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ready", ready);
    out.put("freshness", freshness);
    out.put("changelog", changelog);
    out.put("completeness", completeness);
    return out;
  }

  public long readyAtMillis() {
    return readyAt;
  }

  /** Changelog records this replica has applied since start (0 after a restart that had nothing new). */
  public long appliedRecords() {
    ChangelogMaterializer m = materializer;
    return m == null ? 0 : m.appliedRecords();
  }

  public OnlineStore store() {
    return store;
  }

  public TesseraConfig config() {
    return config;
  }

  @Override
  public void close() {
    running = false;
    monitor.shutdownNow();
    ChangelogMaterializer m = materializer;
    if (m != null) {
      m.wakeup();
    }
    Thread t = materializerThread;
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
    store.close();
  }

  private static OnlineStore openStore(TesseraConfig config) {
    return switch (config.get(OnlineOptions.STORE)) {
      case ROCKSDB -> new RocksDbOnlineStore(Path.of(config.get(OnlineOptions.ROCKSDB_DIR)), config.get(OnlineOptions.ROCKSDB_BLOCK_CACHE),
          config.get(OnlineOptions.ROCKSDB_ROW_CACHE));
      case REDIS -> new RedisOnlineStore(config.get(OnlineOptions.REDIS_URI), config.get(OnlineOptions.REDIS_PREFIX));
    };
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
