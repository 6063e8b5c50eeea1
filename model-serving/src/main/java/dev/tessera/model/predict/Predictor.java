package dev.tessera.model.predict;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.model.config.ModelConfig;
import dev.tessera.model.log.PredictionLog;
import dev.tessera.model.onnx.OnnxModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micro-batched inference. Concurrent requests wait in one queue; a batch is formed by one worker
 * at a time (up to {@code maxBatchSize} entities, waiting at most {@code maxWait} after its first
 * request; a request is never split), then runs on that worker while the next worker forms the
 * next batch. Each batch makes one Arrow feature lookup for all its entities, copies it into the
 * input tensor's buffer ({@link FeatureMatrix}), and makes one ONNX Runtime run per version
 * scored: the primary, and the candidate when there is one (shadow or canary; its disagreement
 * with the primary is measured on the same vectors). The deployment is read once per batch.
 */
public final class Predictor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Predictor.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A request as the service received it. */
  public record Request(String requestId, List<Map<String, String>> entities, boolean returnFeatures) {}

  private record Pending(Request request, CompletableFuture<Prediction> future, long enqueued) {}

  private final ModelConfig config;
  private final AtomicReference<Deployment> deployment;
  private final FeatureSource features;
  private final PredictionLog log;
  private final MeterRegistry registry;
  private final Map<String, String> pinned;
  private final List<String> featureRefs;
  private final List<String> featureNames;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger queuedEntities = new AtomicInteger();
  private final int maxQueued;
  private final ReentrantLock forming = new ReentrantLock();
  private final BufferAllocator allocator = new RootAllocator();
  private final List<Thread> workers = new ArrayList<>();
  private final DistributionSummary batchSize;
  private final Timer fetchTimer;
  private final Counter rejectedEntities;
  private volatile boolean running = true;

  /**
   * @param pinned each feature set as the config names it -> {@code <name>@<major>} resolved at start-up: the
   *     model reads the major it was checked against, never a newer one that appears while it runs
   */
  public Predictor(ModelConfig config, Map<String, String> pinned, AtomicReference<Deployment> deployment, FeatureSource features,
      PredictionLog log, MeterRegistry registry, int workerCount, int maxQueued) {
    this.config = config;
    this.pinned = Map.copyOf(pinned);
    this.deployment = deployment;
    this.features = features;
    this.log = log;
    this.registry = registry;
    this.maxQueued = maxQueued;
    this.featureRefs = config.inputs().stream().map(i -> pinned.get(i.feature().featureSet()) + ":" + i.feature().feature()).distinct().toList();
    this.featureNames = config.inputs().stream().map(FeatureMatrix::column).toList();
    String model = config.name();
    batchSize = DistributionSummary.builder("tessera.model.batch.size").description("Entities per micro-batch")
        .tag("model", model).publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue((double) config.batching().maxBatchSize())
        .register(registry);
    fetchTimer = Timer.builder("tessera.model.feature.fetch").description("Feature lookup per batch").tag("model", model)
        .publishPercentileHistogram().register(registry);
    rejectedEntities = Counter.builder("tessera.model.rejected.entities").description("Entities answered 422: an input missing with missing: reject")
        .tag("model", model).register(registry);
    for (int i = 0; i < workerCount; i++) {
      Thread t = new Thread(this::work, "predict-" + model + "-" + i);
      t.setDaemon(true);
      t.start();
      workers.add(t);
    }
  }

  /** The input columns, {@code <feature set>__<feature>}, in the model's order. */
  public List<String> featureNames() {
    return featureNames;
  }

  /** Queues {@code request} for the next batch; OVERLOADED (503) when too many entities already wait. */
  public CompletableFuture<Prediction> submit(Request request) {
    int n = request.entities().size();
    if (queuedEntities.addAndGet(n) > maxQueued && queuedEntities.get() != n) {
      queuedEntities.addAndGet(-n);
      throw new TesseraException(ErrorCode.OVERLOADED, "Too many entities waiting for inference (more than " + maxQueued + "); retry shortly");
    }
    CompletableFuture<Prediction> f = new CompletableFuture<>();
    queue.add(new Pending(request, f, System.nanoTime()));
    return f;
  }

  private void work() {
    while (running) {
      List<Pending> batch;
      try {
        batch = form();
      } catch (InterruptedException e) {
        return;
      }
      if (batch.isEmpty()) {
        continue;
      }
      int n = 0;
      for (Pending p : batch) {
        n += p.request().entities().size();
      }
      queuedEntities.addAndGet(-n);
      try {
        run(batch, n);
      } catch (Throwable t) {
        TesseraException e = TesseraException.wrap(t);
        if (e.code() == ErrorCode.INTERNAL) {
          LOG.error("Batch of {} requests failed", batch.size(), t);
        }
        for (Pending p : batch) {
          p.future().completeExceptionally(e);
        }
      }
    }
  }

  /** One batch: the first waiting request, then whatever fits and arrives within maxWait. Formed under a lock, one worker at a time. */
  private List<Pending> form() throws InterruptedException {
    List<Pending> batch = new ArrayList<>();
    forming.lockInterruptibly();
    try {
      Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
      if (first == null) {
        return batch;
      }
      batch.add(first);
      int size = first.request().entities().size();
      int max = config.batching().maxBatchSize();
      long deadline = System.nanoTime() + config.batching().maxWait().toNanos();
      while (size < max) {
        Pending next = queue.peek();
        if (next == null) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          next = queue.poll(left, TimeUnit.NANOSECONDS);
          if (next == null) {
            break;
          }
          batch.add(next);
          size += next.request().entities().size();
          continue;
        }
        if (size + next.request().entities().size() > max) {
          break;
        }
        batch.add(queue.poll());
        size += next.request().entities().size();
      }
      return batch;
    } finally {
      forming.unlock();
    }
  }

  private void run(List<Pending> batch, int n) {
    Deployment d = deployment.get();
    List<Map<String, String>> entities = new ArrayList<>(n);
    for (Pending p : batch) {
      entities.addAll(p.request().entities());
    }
    batchSize.record(n);
    long t0 = System.nanoTime();
    FeatureMatrix m;
    try (VectorSchemaRoot root = features.fetch(featureRefs, entities, allocator)) {
      if (root.getRowCount() != n) {
        throw new TesseraException(ErrorCode.INTERNAL, "The feature lookup answered " + root.getRowCount() + " rows for " + n + " entities");
      }
      m = FeatureMatrix.of(root, config, pinned, d.primary().model().elementBytes());
    }
    long fetched = System.nanoTime();
    fetchTimer.record(fetched - t0, TimeUnit.NANOSECONDS);
    OnnxModel.Scores primary = d.primary().model().run(m.buffer(), n, m.cols());
    long primaryDone = System.nanoTime();
    inferenceTimer(d.primary()).record(primaryDone - fetched, TimeUnit.NANOSECONDS);
    OnnxModel.Scores candidate = null;
    long candidateNanos = 0;
    if (d.candidate() != null) {
      long c0 = System.nanoTime(); // same input element type as the primary: checked when the service loads them
      candidate = d.candidate().model().run(m.buffer(), n, m.cols());
      candidateNanos = System.nanoTime() - c0;
      inferenceTimer(d.candidate()).record(candidateNanos, TimeUnit.NANOSECONDS);
      compare(d, primary, candidate, m);
    }
    int row = 0;
    for (Pending p : batch) {
      Request r = p.request();
      boolean canary = candidate != null && d.canary(r.requestId());
      ModelVersion answering = canary ? d.candidate() : d.primary();
      OnnxModel.Scores scores = canary ? candidate : primary;
      List<Prediction.Entity> out = new ArrayList<>(r.entities().size());
      for (int i = 0; i < r.entities().size(); i++) {
        out.add(entity(r.entities().get(i), scores, m, row + i));
      }
      d.primary().stats().recordRequest((fetched - p.enqueued()) + (primaryDone - fetched), r.entities().size());
      if (candidate != null) {
        d.candidate().stats().recordRequest((fetched - p.enqueued()) + candidateNanos, r.entities().size());
      }
      requests(answering, canary ? "canary" : "primary").increment();
      Prediction prediction = new Prediction(r.requestId(), answering, canary ? "canary" : "primary", featureNames, out, r.returnFeatures());
      p.future().complete(prediction);
      logAll(r, prediction, true);
      if (candidate != null) {
        ModelVersion other = canary ? d.primary() : d.candidate();
        String route = canary ? "primary-unanswered" : d.mode() == ModelConfig.Mode.SHADOW ? "shadow" : "canary-unanswered";
        OnnxModel.Scores otherScores = canary ? primary : candidate;
        List<Prediction.Entity> shadow = new ArrayList<>(r.entities().size());
        for (int i = 0; i < r.entities().size(); i++) {
          shadow.add(entity(r.entities().get(i), otherScores, m, row + i));
        }
        if (!canary) {
          requests(other, route).increment();
        }
        logAll(r, new Prediction(r.requestId(), other, route, featureNames, shadow, false), false);
      }
      row += r.entities().size();
    }
    long rejected = 0;
    for (int i = 0; i < n; i++) {
      if (m.rejected(i) != null) {
        rejected++;
      }
    }
    if (rejected > 0) {
      rejectedEntities.increment(rejected);
    }
  }

  private Prediction.Entity entity(Map<String, String> keys, OnnxModel.Scores scores, FeatureMatrix m, int row) {
    double[] values = new double[m.cols()];
    for (int c = 0; c < values.length; c++) {
      values[c] = m.value(row, c);
    }
    String rejected = m.rejected(row);
    if (rejected != null) {
      return new Prediction.Entity(keys, null, values, m.eventTimes(row), rejected);
    }
    Map<String, Object> outputs = new LinkedHashMap<>();
    scores.outputs().forEach((name, o) -> {
      if (o.scalar() || o.width() == 1) {
        outputs.put(name, o.at(row, 0));
      } else {
        double[] v = new double[o.width()];
        System.arraycopy(o.values(), row * o.width(), v, 0, o.width());
        outputs.put(name, v);
      }
    });
    return new Prediction.Entity(keys, outputs, values, m.eventTimes(row), null);
  }

  /** Mean absolute difference of the gate's output (the first output unless configured) over the entities not rejected. */
  private void compare(Deployment d, OnnxModel.Scores primary, OnnxModel.Scores candidate, FeatureMatrix m) {
    String name = config.promotion().output() != null ? config.promotion().output() : primary.outputs().keySet().iterator().next();
    OnnxModel.Scores.Output a = primary.outputs().get(name);
    OnnxModel.Scores.Output b = candidate.outputs().get(name);
    if (a == null || b == null || a.width() != b.width()) {
      return;
    }
    double sum = 0;
    long count = 0;
    for (int r = 0; r < m.rows(); r++) {
      if (m.rejected(r) != null) {
        continue;
      }
      for (int i = 0; i < a.width(); i++) {
        sum += Math.abs(a.at(r, i) - b.at(r, i));
        count++;
      }
    }
    d.candidate().stats().recordDisagreement(sum, count);
  }

  private Timer inferenceTimer(ModelVersion v) {
    return Timer.builder("tessera.model.inference").description("ONNX Runtime run per batch").tag("model", config.name())
        .tag("version", v.version().toString()).publishPercentileHistogram().register(registry);
  }

  private Counter requests(ModelVersion v, String route) {
    return Counter.builder("tessera.model.requests").description("Predict requests scored, by version and route").tag("model", config.name())
        .tag("version", v.version().toString()).tag("route", route).register(registry);
  }

  /** One log record per entity: request id, model and version, route, whether it was the answer, entity, features with event times, outputs. */
  private void logAll(Request r, Prediction p, boolean answered) {
    if (log == null) {
      return;
    }
    long now = System.currentTimeMillis();
    for (int i = 0; i < p.entities().size(); i++) {
      Prediction.Entity e = p.entities().get(i);
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("request_id", r.requestId());
      rec.put("index", i);
      rec.put("model", config.name());
      rec.put("version", p.version().version().toString());
      rec.put("route", p.route());
      rec.put("answered", answered);
      rec.put("time", now);
      rec.put("entity", e.keys());
      Map<String, Double> f = new LinkedHashMap<>();
      for (int c = 0; c < featureNames.size(); c++) {
        f.put(featureNames.get(c), e.features()[c]);
      }
      rec.put("features", f);
      rec.put("event_times", e.eventTimes());
      rec.put("outputs", e.outputs());
      if (e.rejected() != null) {
        rec.put("rejected", e.rejected());
      }
      try {
        log.offer(r.requestId(), JSON.writeValueAsBytes(rec));
      } catch (java.io.IOException ex) {
        LOG.warn("Prediction log: cannot encode the record of request {}: {}", r.requestId(), ex.toString());
      }
    }
  }

  @Override
  public void close() {
    running = false;
    for (Thread t : workers) {
      t.interrupt();
    }
    for (Thread t : workers) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Pending p;
    while ((p = queue.poll()) != null) {
      p.future().completeExceptionally(new TesseraException(ErrorCode.UNAVAILABLE, "The model service is stopping"));
    }
    allocator.close();
  }
}
