package dev.tessera.online.materialize;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.rows.WriterSchemas;
import dev.tessera.online.store.OnlineStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link ChangelogMaterializer} on its own thread and keeps it running: after a failure it
 * starts a new one from the offsets stored with the data (the consumer's position may be ahead of
 * what the store holds), once a second; every 10 s it picks up new changelog partitions.
 */
public final class MaterializerSupervisor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MaterializerSupervisor.class);

  private final Supplier<ChangelogMaterializer> factory;
  private volatile boolean running = true;
  private volatile ChangelogMaterializer materializer;
  private Thread thread;

  /** @param factory a new materializer, reading from the stored offsets */
  public MaterializerSupervisor(Supplier<ChangelogMaterializer> factory) {
    this.factory = factory;
  }

  /** Every partition by this replica (an embedded store each replica holds in full), or a consumer group (a shared store). */
  public static MaterializerSupervisor of(String bootstrap, List<FeatureSetContract> served, OnlineStore store, WriterSchemas schemas,
      String consumerGroup, ChangelogMaterializer.Listener listener) {
    return of(dev.tessera.kafka.KafkaClients.plain(bootstrap), served, store, schemas, consumerGroup, listener);
  }

  /** The same over the configured clients (security, tuning). */
  public static MaterializerSupervisor of(dev.tessera.kafka.KafkaClients bootstrap, List<FeatureSetContract> served, OnlineStore store,
      WriterSchemas schemas, String consumerGroup, ChangelogMaterializer.Listener listener) {
    return new MaterializerSupervisor(() -> (consumerGroup == null
        ? ChangelogMaterializer.allPartitions(bootstrap, served, store, schemas)
        : ChangelogMaterializer.consumerGroup(bootstrap, served, store, schemas, consumerGroup)).listener(listener));
  }

  public MaterializerSupervisor start() {
    thread = new Thread(this::loop, "tessera-materializer");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  private void loop() {
    long lastRefresh = System.nanoTime();
    while (running) {
      try {
        if (materializer == null) {
          materializer = factory.get();
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
        LOG.warn("Changelog materializer failed, restarting from the stored offsets in 1s: {}", e.toString());
        closeMaterializer();
        try {
          Thread.sleep(1000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          break;
        }
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

  /** Whether the thread runs (or was stopped on purpose). */
  public boolean alive() {
    Thread t = thread;
    return !running || t == null || t.isAlive();
  }

  /** Changelog records applied since start by the current materializer. */
  public long appliedRecords() {
    ChangelogMaterializer m = materializer;
    return m == null ? 0 : m.appliedRecords();
  }

  @Override
  public void close() {
    running = false;
    ChangelogMaterializer m = materializer;
    if (m != null) {
      m.wakeup();
    }
    Thread t = thread;
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
