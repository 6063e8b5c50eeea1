package dev.tessera.online.catalog;

import dev.tessera.contracts.model.FeatureSetContract;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The live numbers of every served feature set major, recorded once and read two ways: by the
 * catalog ({@link #status}) and as Micrometer meters ({@code tessera.changelog.lag},
 * {@code tessera.freshness.lag}, {@code tessera.lookups}, {@code tessera.lookup.latency}), tagged
 * {@code feature_set} and {@code major}. Keyed by {@code <name>@<major>} ({@link
 * FeatureSetContract#majorId}).
 */
public final class ServiceStats {
  /** Lookup outcomes of one feature set in one request. */
  public record Outcomes(long ok, long missing, long expired) {}

  private final MeterRegistry meters;
  private final Map<String, LiveStats> stats = new ConcurrentHashMap<>();
  private final Map<String, Timer> freshness = new ConcurrentHashMap<>();
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();
  private final Map<String, Counter> lookups = new ConcurrentHashMap<>();
  /** feature set@major -> consumer -> reads since start and the last one. */
  private final Map<String, Map<String, ConsumerReads>> reads = new ConcurrentHashMap<>();

  /** One consumer's reads of one major: those kept in the store when this replica started, and its own since. */
  private static final class ConsumerReads {
    final java.util.concurrent.atomic.LongAdder count = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong();
    /** Reads not yet added to the store. */
    final java.util.concurrent.atomic.LongAdder unsaved = new java.util.concurrent.atomic.LongAdder();
    Counter counter;
  }

  /** Usage the store kept (earlier runs, other replicas): counted in {@link #consumers}, not in the meters. */
  public void loadUsage(List<dev.tessera.online.store.OnlineStore.Usage> kept) {
    for (var u : kept) {
      ConsumerReads r = reads.computeIfAbsent(u.major(), k -> new ConcurrentHashMap<>()).computeIfAbsent(u.consumer(), k -> new ConsumerReads());
      r.count.add(u.reads());
      r.last.accumulateAndGet(u.lastReadMillis(), Math::max);
    }
  }

  /** Adds this replica's reads since the last save to the store's usage; returns how many (major, consumer) pairs it saved. */
  public int saveUsage(dev.tessera.online.store.OnlineStore store) {
    int saved = 0;
    for (var major : reads.entrySet()) {
      for (var e : major.getValue().entrySet()) {
        long n = e.getValue().unsaved.sumThenReset();
        if (n > 0) {
          try {
            store.addUsage(major.getKey(), e.getKey(), n, e.getValue().last.get());
            saved++;
          } catch (RuntimeException down) {
            e.getValue().unsaved.add(n); // the next save tries again
            throw down;
          }
        }
      }
    }
    return saved;
  }

  public ServiceStats(List<FeatureSetContract> served, MeterRegistry meters) {
    this.meters = meters;
    for (FeatureSetContract c : served) {
      LiveStats s = new LiveStats();
      stats.put(c.majorId(), s);
      Gauge.builder("tessera.changelog.lag", s.changelogLag, v -> v.get() < 0 ? Double.NaN : v.get())
          .tags(tags(c.majorId())).description("Changelog records not yet in the online store").baseUnit("records").register(meters);
      freshness.put(c.majorId(), Timer.builder("tessera.freshness.lag").tags(tags(c.majorId()))
          .description("Event time to visible online, per applied changelog row (after start-up catch-up)")
          .publishPercentiles(0.5, 0.99).publishPercentileHistogram().register(meters));
    }
  }

  /** {@code feature_set} and {@code major} of a {@code <name>@<major>}. */
  private static io.micrometer.core.instrument.Tags tags(String majorId) {
    int at = majorId.lastIndexOf('@');
    return io.micrometer.core.instrument.Tags.of("feature_set", majorId.substring(0, at), "major", majorId.substring(at + 1));
  }

  /** A changelog row of {@code featureSet} ({@code <name>@<major>}) became visible {@code lagMillis} after its event time. */
  public void applied(String featureSet, long lagMillis) {
    stats.get(featureSet).recordLag(lagMillis);
    freshness.get(featureSet).record(lagMillis, TimeUnit.MILLISECONDS);
  }

  /** Changelog records of {@code featureSet} not yet in the store. */
  public void changelogLag(String featureSet, long records) {
    stats.get(featureSet).changelogLag.set(records);
  }

  public void outcomes(String featureSet, Outcomes o) {
    LiveStats s = stats.get(featureSet);
    s.ok.add(o.ok());
    s.missing.add(o.missing());
    s.expired.add(o.expired());
    count(featureSet, "ok", o.ok());
    count(featureSet, "missing", o.missing());
    count(featureSet, "expired", o.expired());
  }

  /** A request's latency, for one feature set it read, by endpoint ({@code get}, {@code lookup_json}, {@code lookup_arrow}). */
  public void latency(String featureSet, String endpoint, long nanos) {
    latency.computeIfAbsent(featureSet + "\u0000" + endpoint, k -> Timer.builder("tessera.lookup.latency")
        .tags(tags(featureSet)).tag("endpoint", endpoint).description("Lookup request latency")
        .publishPercentiles(0.5, 0.99).publishPercentileHistogram().register(meters)).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** {@code consumer} read {@code c} (one answered request, whatever the number of entities). */
  public void read(String consumer, FeatureSetContract c) {
    ConsumerReads r = reads.computeIfAbsent(c.majorId(), k -> new ConcurrentHashMap<>()).computeIfAbsent(consumer, k -> new ConsumerReads());
    if (r.counter == null) {
      r.counter = Counter.builder("tessera.consumer.reads").tag("feature_set", c.name()).tag("major", Integer.toString(c.majorVersion()))
          .tag("consumer", consumer).description("Answered lookup requests per consumer and major").register(meters);
    }
    r.count.increment();
    r.unsaved.increment();
    r.last.accumulateAndGet(System.currentTimeMillis(), Math::max);
    r.counter.increment();
  }

  /** Who read this major: reads and the last read (epoch millis), by consumer, as kept in the store plus this replica's since. */
  public Map<String, LiveStatus.ConsumerUsage> consumers(FeatureSetContract c) {
    Map<String, LiveStatus.ConsumerUsage> out = new java.util.TreeMap<>();
    reads.getOrDefault(c.majorId(), Map.of()).forEach((consumer, r) ->
        out.put(consumer, new LiveStatus.ConsumerUsage(r.count.sum(), r.last.get())));
    return out;
  }

  /** The live status of one feature set. */
  public LiveStatus status(FeatureSetContract c, boolean ready) {
    LiveStats s = stats.get(c.majorId());
    Long p99 = s.lagPercentile(0.99);
    Long sla = c.sla().freshnessTarget().map(java.time.Duration::toMillis).orElse(null);
    LiveStatus.Freshness fresh = new LiveStatus.Freshness(s.lagPercentile(0.50), p99, s.samples(), sla,
        sla == null || p99 == null ? null : p99 <= sla);
    long lag = s.changelogLag.get();
    long ok = s.ok.sum();
    long missing = s.missing.sum();
    long expired = s.expired.sum();
    long all = ok + missing + expired;
    return new LiveStatus(ready, fresh, new LiveStatus.Changelog(c.changelogTopic(), lag < 0 ? null : lag),
        new LiveStatus.Completeness(all, ok, missing, expired, all == 0 ? null : (double) ok / all), null, consumers(c));
  }

  private void count(String featureSet, String status, long n) {
    if (n > 0) {
      lookups.computeIfAbsent(featureSet + "\u0000" + status, k -> Counter.builder("tessera.lookups").tags(tags(featureSet))
          .tag("status", status).description("Entity lookups by outcome (missing and expired included)").register(meters)).increment(n);
    }
  }
}
