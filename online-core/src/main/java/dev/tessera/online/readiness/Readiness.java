package dev.tessera.online.readiness;

import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.online.catalog.ServiceStats;
import dev.tessera.online.store.OnlineStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the replica may answer: its store has caught up with the changelog end offsets read at
 * start-up (the first read is the target; later rows do not move it). The same periodic read of
 * end offsets gives each feature set's changelog lag. Without Kafka, the store is served as it is.
 */
public final class Readiness implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);

  private final List<FeatureSetContract> served;
  private final Map<String, FeatureSetContract> byTopic = new HashMap<>();
  private final OnlineStore store;
  private final ServiceStats stats;
  private final dev.tessera.kafka.KafkaClients kafka;
  private final long startedAt = System.currentTimeMillis();
  private final ScheduledExecutorService monitor;
  private Admin admin;
  private volatile boolean ready;
  private volatile long readyAt = -1;
  private volatile Map<TopicPartition, Long> target;
  private volatile String notReadyReason = "reading the changelog end offsets";

  /** @param bootstrap the Kafka bootstrap servers; null: no changelog, ready at once */
  public Readiness(List<FeatureSetContract> served, OnlineStore store, ServiceStats stats, String bootstrap) {
    this(served, store, stats, dev.tessera.kafka.KafkaClients.plain(bootstrap));
  }

  /** @param kafka the configured Kafka clients; no bootstrap servers: no changelog, ready at once */
  public Readiness(List<FeatureSetContract> served, OnlineStore store, ServiceStats stats, dev.tessera.kafka.KafkaClients kafka) {
    this.served = List.copyOf(served);
    served.forEach(c -> byTopic.put(c.changelogTopic(), c));
    this.store = store;
    this.stats = stats;
    this.kafka = kafka;
    this.monitor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tessera-changelog-lag");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts reading end offsets every {@code interval}. */
  public void start(Duration interval) {
    if (kafka.bootstrapServers() == null) {
      LOG.warn("tessera.kafka.bootstrap-servers is empty: serving the store as it is, no changelog");
      ready = true;
      readyAt = System.currentTimeMillis();
      return;
    }
    Properties p = kafka.admin();
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    admin = Admin.create(p);
    monitor.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean ready() {
    return ready;
  }

  /** Why the replica is not ready yet; null when it is. */
  public String notReadyReason() {
    return ready ? null : notReadyReason;
  }

  /** When the replica became ready (epoch ms), -1 before. */
  public long readyAtMillis() {
    return readyAt;
  }

  /** Answers UNAVAILABLE (retry later) unless ready. */
  public void require() {
    if (!ready) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Not ready: " + notReadyReason);
    }
  }

  /** Reads the end offsets; sets the target once, then the lag; declares ready when caught up. */
  void refresh() {
    try {
      Map<TopicPartition, Long> end = endOffsets();
      if (target == null) {
        target = end;
        LOG.info("Readiness waits for {} changelog partitions up to their end offsets {}", end.size(), end);
      }
      Map<String, Map<Integer, Long>> stored = new HashMap<>();
      Map<String, Long> lag = new HashMap<>();
      served.forEach(c -> lag.put(c.majorId(), 0L));
      for (var e : end.entrySet()) {
        long at = stored.computeIfAbsent(e.getKey().topic(), store::offsets).getOrDefault(e.getKey().partition(), 0L);
        lag.merge(byTopic.get(e.getKey().topic()).majorId(), Math.max(0, e.getValue() - at), Long::sum);
      }
      lag.forEach(stats::changelogLag);
      if (!ready) {
        List<String> behind = new ArrayList<>();
        for (var e : target.entrySet()) {
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
      for (FeatureSetContract c : served) {
        TopicDescription d;
        try {
          d = admin.describeTopics(List.of(c.changelogTopic())).allTopicNames().get(10, TimeUnit.SECONDS).get(c.changelogTopic());
        } catch (ExecutionException e) {
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
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Interrupted while reading the changelog end offsets", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, e.getCause() == null ? e.toString() : e.getCause().toString(), e);
    }
  }

  @Override
  public void close() {
    monitor.shutdownNow();
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
  }
}
