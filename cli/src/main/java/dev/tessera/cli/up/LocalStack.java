package dev.tessera.cli.up;

import dev.tessera.online.launch.ServiceProcess;
import dev.tessera.config.CoreOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.config.IngestOptions;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.ingest.backfill.Backfill;
import dev.tessera.ingest.dlq.DlqReplay;
import dev.tessera.offline.table.EventTables;
import dev.tessera.kafka.Topics;
import dev.tessera.ingest.job.IngestJob;
import dev.tessera.ingest.rollout.Rollout;
import dev.tessera.ingest.window.FeatureWindows;
import dev.tessera.ingest.job.IngestPipeline;
import dev.tessera.ingest.job.IngestEnvironment;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.FeatureTables;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.catalog.Catalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The whole platform on one machine, all state under the Tessera home: a Kafka broker (child JVM,
 * KRaft), the source topics, the Iceberg tables (SQLite catalog, local warehouse, unless the config
 * says otherwise), one Flink job (MiniCluster) with the ingest pipelines of every contract, the
 * online service (child JVM, RocksDB) and an event generator. A second start resumes: the broker's
 * data, the latest checkpoint or savepoint of the job, the online store and its offsets.
 */
public final class LocalStack implements AutoCloseable {
  /** What to start. {@code rate} 0: no event generator. */
  public record Options(Path home, Path configFile, Map<String, String> overrides, Path contractsDir, int port, double rate,
      int entities, String apiKey, boolean backfill, Path modelsDir, Duration history) {
    public Options(Path home, Path configFile, Map<String, String> overrides, Path contractsDir, int port, double rate, int entities,
        String apiKey, boolean backfill) {
      this(home, configFile, overrides, contractsDir, port, rate, entities, apiKey, backfill, null, Duration.ZERO);
    }

    public Options(Path home, Path configFile, Map<String, String> overrides, Path contractsDir, int port, double rate, int entities,
        String apiKey, boolean backfill, Path modelsDir) {
      this(home, configFile, overrides, contractsDir, port, rate, entities, apiKey, backfill, modelsDir, Duration.ZERO);
    }
  }

  /** History events on a first start: the live rate over the span, at most this many. */
  static final int MAX_HISTORY_EVENTS = 60_000;

  private final Options options;
  private final Consumer<String> status;
  private final Path upDir;
  private ChildSupervisor kafka;
  private String bootstrap;
  private JobClient job;
  private ChildSupervisor online;
  private final List<ChildSupervisor> models = new ArrayList<>();
  private final List<String> modelUrls = new ArrayList<>();
  private EventGenerator generator;
  private String apiKey;
  private TesseraConfig config;
  private ContractRegistry registry;
  private String resumedFrom;
  private AutoCloseable lock;

  private LocalStack(Options options, Consumer<String> status) {
    this.options = options;
    this.status = status;
    this.upDir = options.home().resolve("up");
  }

  /** Starts every component in order, reporting a line per step; on failure stops what started. */
  public static LocalStack start(Options options, Consumer<String> status) throws Exception {
    LocalStack stack = new LocalStack(options, status);
    try {
      stack.startAll();
      return stack;
    } catch (Exception e) {
      stack.close();
      throw e;
    }
  }

  private void startAll() throws Exception {
    Files.createDirectories(upDir.resolve("logs"));
    Properties ports = ports();
    String bootstrap = "localhost:" + ports.getProperty("kafka.port");
    Map<String, String> overrides = new HashMap<>(options.overrides());
    overrides.put(CoreOptions.KAFKA_BOOTSTRAP_SERVERS.key(), bootstrap);
    overrides.put(CoreOptions.CONTRACTS_DIR.key(), options.contractsDir().toAbsolutePath().toString());
    config = TesseraConfig.resolve(options.home(), options.configFile(), overrides);
    UpHome upHome = new UpHome(options.home(), config);
    lock = upHome.lock().orElseThrow(() -> new TesseraException(ErrorCode.UNAVAILABLE,
        "Cannot start: another tessera up runs on " + options.home().toAbsolutePath().normalize() + " (one stack per home)"));
    registry = ContractRegistry.fromDirectory(options.contractsDir());
    apiKey = apiKey();

    long t = System.nanoTime();
    status.accept(String.format("  %-9s starting a KRaft broker (child JVM) ...", "kafka"));
    this.bootstrap = bootstrap;
    int brokerPort = Integer.parseInt(ports.getProperty("kafka.port"));
    int controllerPort = Integer.parseInt(ports.getProperty("kafka.controller.port"));
    kafka = new ChildSupervisor("kafka", () -> {
      KafkaBroker b = KafkaBroker.start(upDir.resolve("kafka"), brokerPort, controllerPort, Duration.ofSeconds(120));
      return new ChildSupervisor.Child() {
        public boolean alive() {
          return b.alive();
        }

        public void stop() throws Exception {
          b.close();
        }
      };
    }, status, upDir.resolve("kafka/kafka.log").toString()).start();
    status.accept(String.format("  %-9s ready at %s in %.1fs", "kafka", bootstrap, secs(t)));

    for (FeatureSetContract retired : registry.retired()) {
      // `tessera contract retire` ran while this broker was down: its changelog goes now
      if (Topics.delete(bootstrap, retired.changelogTopic())) {
        status.accept(String.format("  %-9s %s retired: deleted its changelog topic %s", "topics", retired.majorId(), retired.changelogTopic()));
      }
    }
    Set<String> topics = new LinkedHashSet<>();
    registry.allMajors().forEach(c -> topics.add(c.source().topic()));
    createTopics(bootstrap, topics);
    status.accept(String.format("  %-9s %s (2 partitions each)", "topics", String.join(", ", topics)));
    seedHistory(bootstrap, topics);

    t = System.nanoTime();
    Catalog catalog = Catalogs.open(config);
    FeatureTables tables = new FeatureTables(catalog, config.get(OfflineOptions.NAMESPACE));
    Map<String, Rollout> rollouts = new HashMap<>();
    Map<String, java.util.List<DlqReplay.BackfillSnapshot>> backfills = new HashMap<>();
    Set<String> fresh = new java.util.HashSet<>();
    Set<String> archivedTopics = new java.util.HashSet<>();
    for (FeatureSetContract c : registry.allMajors()) {
      var table = tables.ensure(c);
      var recorded = Rollout.recorded(table);
      rollouts.put(c.majorId(), new Rollout(c, recorded.orElse(null), new FeatureWindows(c).layout()));
      backfills.put(c.majorId(), DlqReplay.backfills(table));
      if (recorded.isEmpty()) {
        fresh.add(c.majorId()); // never ran: a new feature set, or a new major
      }
      new EventTables(catalog, config.get(OfflineOptions.NAMESPACE)).find(c.source().topic())
          .filter(a -> a.currentSnapshot() != null).ifPresent(a -> archivedTopics.add(c.source().topic()));
    }
    if (catalog instanceof AutoCloseable a) {
      a.close();
    }
    status.accept(String.format("  %-9s %d Iceberg tables in %s, warehouse %s", "offline", registry.allMajors().size(),
        config.get(OfflineOptions.CATALOG_URI), config.get(OfflineOptions.WAREHOUSE)));

    Path resume = upHome.latestCheckpoint().orElse(null);
    // backfills done while the stack was stopped (tessera backfill), for the state it resumes from
    Map<String, String> bootstraps = new HashMap<>(upHome.pendingBootstraps(resume));
    if (resume != null) {
      // a new major of a feature set whose topic is archived already: its history first, before it is served
      for (FeatureSetContract c : registry.allMajors()) {
        if (!fresh.contains(c.majorId()) || bootstraps.containsKey(c.majorId()) || !archivedTopics.contains(c.source().topic())) {
          continue;
        }
        String state = upHome.backfills().resolve(c.tableName() + "-" + System.currentTimeMillis() + ".state").toUri().toString();
        Files.createDirectories(upHome.backfills());
        Backfill.run(config, new Backfill.Request(c, null, null, state, true),
            line -> status.accept(String.format("  %-9s %s: %s", "backfill", c.majorId() + " (new)", line)));
        bootstraps.put(c.majorId(), state);
      }
    }
    if (resume != null && options.backfill()) {
      for (FeatureSetContract c : registry.allMajors()) {
        Rollout rollout = rollouts.get(c.majorId());
        // events of `tessera dlq replay` waiting for a backfill: from the earliest of them on
        java.util.Optional<Long> replayed = DlqReplay.pendingFrom(dev.tessera.kafka.KafkaClients.plain(bootstrap), c, backfills.getOrDefault(c.majorId(), java.util.List.of()));
        if ((rollout.added().isEmpty() && replayed.isEmpty()) || bootstraps.containsKey(c.majorId())) {
          continue;
        }
        rollout.check();
        String state = upHome.backfills().resolve(c.tableName() + "-" + System.currentTimeMillis() + ".state").toUri().toString();
        Files.createDirectories(upHome.backfills());
        Long from = rollout.added().isEmpty() ? replayed.get() : null;
        Backfill.run(config, new Backfill.Request(c, from, null, state, true),
            line -> status.accept(String.format("  %-9s %s: %s", "backfill", c.majorId(), line)));
        bootstraps.put(c.majorId(), state);
      }
    }

    // latest values of backfills done while the stack (and its broker) was stopped
    for (var e : upHome.pendingLatest().entrySet()) {
      FeatureSetContract c = registry.resolve(e.getKey()).orElse(null);
      if (c != null && Files.isRegularFile(e.getValue())) {
        Topics.ensure(bootstrap, c.changelogTopic(), true, 1);
        Topics.publishSchema(bootstrap, c.changelogTopic(), dev.tessera.contracts.rows.WriterSchema.of(c));
        Backfill.publish(dev.tessera.kafka.KafkaClients.plain(bootstrap), c, e.getValue(), line -> status.accept(String.format("  %-9s %s: %s", "backfill", c.name(), line)));
      }
    }

    t = System.nanoTime();
    resumedFrom = resume == null ? null : resume.toString();
    StreamExecutionEnvironment env = IngestEnvironment.environment(config, resume);
    env.configure(Configuration.fromMap(Map.of("execution.savepoint.ignore-unclaimed-state", "true")));
    List<IngestPipeline> pipelines = new ArrayList<>();
    Set<String> archived = new java.util.HashSet<>();
    for (FeatureSetContract c : registry.allMajors()) {
      // one pipeline per live major; one per topic writes the topic's events archive
      boolean archive = archived.add(c.source().topic());
      pipelines.add(IngestJob.define(env, c, IngestEnvironment.settings(config, c, false).withArchive(archive)
          .withBootstrap(bootstraps.get(c.majorId()))));
    }
    for (String model : modelNames()) {
      // the model's prediction log: Kafka -> its Iceberg table, exactly once, in this job
      Topics.ensure(bootstrap, dev.tessera.ingest.job.PredictionLogJob.topic(model), false, 1);
      org.apache.iceberg.Table table = dev.tessera.ingest.job.PredictionLogJob.define(env, config, bootstrap, model);
      status.accept(String.format("  %-9s %s -> %s", "log", dev.tessera.ingest.job.PredictionLogJob.topic(model), table.name()));
    }
    String from = resume == null ? null : describe(resume);
    for (IngestPipeline p : pipelines) {
      if (resume != null) {
        p.rollout().check();
      }
      status.accept(String.format("  %-9s %s", "rollout", p.rollout().describe(from, bootstraps.containsKey(p.contract().majorId()))));
    }
    status.accept(String.format("  %-9s submitting %d pipelines to a Flink MiniCluster%s ...", "ingest", registry.allMajors().size(),
        resume == null ? "" : " (resuming from " + from + ")"));
    job = env.executeAsync("tessera up: ingest " + registry.allMajors().stream().map(FeatureSetContract::majorId).toList());
    awaitRunning(job, Duration.ofSeconds(120));
    pipelines.forEach(IngestPipeline::recordRollout);
    upHome.clearPendingBootstraps(); // loaded by this job; its checkpoints carry them from now on
    status.accept(String.format("  %-9s running in %.1fs (job %s, checkpoints every %s)", "ingest", secs(t), job.getJobID(),
        dev.tessera.contracts.model.Durations.format(config.get(IngestOptions.CHECKPOINT_INTERVAL))));

    t = System.nanoTime();
    Map<String, String> props = new HashMap<>();
    props.put(CoreOptions.KAFKA_BOOTSTRAP_SERVERS.key(), bootstrap);
    props.put(CoreOptions.CONTRACTS_DIR.key(), options.contractsDir().toAbsolutePath().toString());
    props.put("tessera.exit-with-parent", "true");
    props.put("quarkus.log.level", "WARN");
    if (options.modelsDir() != null) { // the catalog's lineage shows the model services of --models
      props.put(dev.tessera.config.OnlineOptions.MODELS_DIR.key(), options.modelsDir().toAbsolutePath().toString());
    }
    List<String> cmd = new ArrayList<>(KafkaBroker.setsid());
    cmd.addAll(ServiceProcess.command(options.home(), TesseraConfig.configFile(options.home(), options.configFile()).orElse(null), options.port(), props));
    // the key by environment, not on the command line where ps shows it
    Map<String, String> serviceEnv = Map.of(TesseraConfig.envName(dev.tessera.config.OnlineOptions.API_KEYS.key()), "*:" + apiKey);
    Path log = upDir.resolve("logs/online.log");
    status.accept(String.format("  %-9s starting online-serving on :%d (RocksDB, child JVM) ...", "online", options.port()));
    online = new ChildSupervisor("online", () -> {
      Process p = ServiceProcess.start(cmd, serviceEnv, log);
      try {
        ServiceProcess.awaitReady(p, baseUrl(), Duration.ofSeconds(180), log);
      } catch (Exception e) {
        p.destroyForcibly();
        throw e;
      }
      return new ChildSupervisor.Child() {
        public boolean alive() {
          return p.isAlive();
        }

        public void stop() {
          p.destroy();
          waitFor(p);
        }
      };
    }, status, log.toString()).start();
    status.accept(String.format("  %-9s ready on http://localhost:%d in %.1fs (caught up with the changelog)", "online", options.port(), secs(t)));

    if (options.modelsDir() != null) {
      startModels(props);
    }

    if (options.rate() > 0) {
      generator = new EventGenerator(bootstrap, registry.all(), options.rate(), options.entities()).start();
      status.accept(String.format("  %-9s %.0f events/s to %s (ids c-1..c-%d, m-1..m-%d)", "events", options.rate(),
          String.join(", ", generator.topics()), options.entities(), options.entities()));
    }
    writeSampleSpine();
  }

  public String apiKeyValue() {
    return apiKey;
  }

  public String bootstrapServers() {
    return bootstrap;
  }

  public String baseUrl() {
    return "http://localhost:" + options.port();
  }

  public TesseraConfig config() {
    return config;
  }

  public ContractRegistry registry() {
    return registry;
  }

  public String resumedFrom() {
    return resumedFrom;
  }

  public Path sampleSpine() {
    return upDir.resolve("spine.csv");
  }

  public long eventsSent() {
    return generator == null ? 0 : generator.sent();
  }

  /** Whether the stack still runs; the broker and the service are restarted when they exit (ChildSupervisor), the job is not. */
  public Optional<String> failure() {
    try {
      JobStatus s = job.getJobStatus().get(10, TimeUnit.SECONDS);
      if (s.isGloballyTerminalState()) {
        return Optional.of("the ingest job is " + s);
      }
    } catch (Exception e) {
      return Optional.of("cannot read the ingest job's status: " + e.getMessage());
    }
    return Optional.empty();
  }

  /** Stops the generator, the job (with a savepoint to resume from), the service and the broker. */
  @Override
  public void close() {
    if (generator != null) {
      try {
        generator.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      status.accept(String.format("  %-9s stopped after %,d events", "events", generator.sent()));
    }
    if (job != null) {
      try {
        String savepoint = job.stopWithSavepoint(false, upDir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
            .get(90, TimeUnit.SECONDS);
        status.accept(String.format("  %-9s stopped with a savepoint (%s)", "ingest", savepoint));
      } catch (Exception e) {
        String why = rootMessage(e);
        try {
          job.cancel().get(30, TimeUnit.SECONDS);
          status.accept(String.format("  %-9s cancelled (no savepoint: %s); the next start resumes from the last checkpoint", "ingest", why));
        } catch (Exception c) {
          status.accept(String.format("  %-9s stopped without a savepoint (%s; cancel: %s); the next start resumes from the last checkpoint",
              "ingest", why, rootMessage(c)));
        }
      }
    }
    for (ChildSupervisor model : models) {
      try {
        model.close();
        status.accept(String.format("  %-9s stopped", "model"));
      } catch (Exception e) {
        status.accept(String.format("  %-9s %s", "model", rootMessage(e)));
      }
    }
    if (online != null) {
      try {
        online.close();
        status.accept(String.format("  %-9s stopped", "online"));
      } catch (Exception e) {
        status.accept(String.format("  %-9s %s", "online", rootMessage(e)));
      }
    }
    if (kafka != null) {
      try {
        kafka.close();
      } catch (Exception e) {
        status.accept("  kafka     " + e.getMessage());
      }
      status.accept(String.format("  %-9s stopped", "kafka"));
    }
    if (lock != null) {
      try {
        lock.close();
      } catch (Exception e) {
        status.accept("  up.lock   " + e.getMessage());
      }
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  private static void waitFor(Process p) {
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitRunning(JobClient job, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JobStatus s = job.getJobStatus().get(10, TimeUnit.SECONDS);
      if (s == JobStatus.RUNNING) {
        return;
      }
      if (s.isGloballyTerminalState()) {
        throw new TesseraException(ErrorCode.UNAVAILABLE, "the ingest job ended: " + s);
      }
      Thread.sleep(200);
    }
    throw new TesseraException(ErrorCode.UNAVAILABLE, "the ingest job was not running within " + timeout);
  }

  /** A checkpoint or savepoint directory as the status lines name it: relative to the home when inside it. */
  private String describe(Path checkpoint) {
    Path home = options.home().toAbsolutePath().normalize();
    Path dir = checkpoint.toAbsolutePath().normalize();
    return (dir.startsWith(home) ? home.relativize(dir) : dir).toString();
  }

  private void createTopics(String bootstrap, Set<String> topics) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(p)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> create = topics.stream().filter(x -> !existing.contains(x)).map(x -> new NewTopic(x, 2, (short) 1)).toList();
      if (!create.isEmpty()) {
        admin.createTopics(create).all().get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Ports chosen on the first start and kept: the controller quorum records its endpoint. */
  private Properties ports() throws IOException {
    Path file = upDir.resolve("ports.properties");
    Properties p = new Properties();
    if (Files.isRegularFile(file)) {
      try (var r = Files.newBufferedReader(file)) {
        p.load(r);
      }
      return p;
    }
    p.setProperty("kafka.port", Integer.toString(freePort(9092)));
    p.setProperty("kafka.controller.port", Integer.toString(freePort(9093)));
    try (var w = Files.newBufferedWriter(file)) {
      p.store(w, "tessera up: ports of the local broker");
    }
    return p;
  }

  private static int freePort(int preferred) throws IOException {
    try (ServerSocket s = new ServerSocket(preferred)) {
      return preferred;
    } catch (IOException e) {
      try (ServerSocket s = new ServerSocket(0)) {
        return s.getLocalPort();
      }
    }
  }

  /** TESSERA_API_KEY (or the option), else the key generated on the first start. */
  private String apiKey() throws IOException {
    if (options.apiKey() != null && !options.apiKey().isBlank()) {
      return options.apiKey();
    }
    Path file = upDir.resolve("api-key");
    if (Files.isRegularFile(file)) {
      return Files.readString(file).trim();
    }
    byte[] b = new byte[18];
    new SecureRandom().nextBytes(b);
    String key = "tsk_" + HexFormat.of().formatHex(b);
    Files.writeString(file, key + "\n");
    file.toFile().setReadable(false, false);
    file.toFile().setReadable(true, true);
    return key;
  }

  /**
   * One model service per model config (kind: ModelService) in {@code --models}, on the ports after
   * the online API's + 10 (8090, 8091, ... by default): features from this stack's online service
   * with its key, the same key for callers, the prediction log to this broker.
   */
  private void startModels(Map<String, String> serviceProps) throws Exception {
    List<Path> configs = modelConfigs();
    int port = options.port() + 10;
    for (Path config : configs) {
      long t = System.nanoTime();
      int p = freePort(port++);
      String name = config.getFileName().toString().replaceFirst("\\.ya?ml$", "");
      Map<String, String> props = new HashMap<>(serviceProps);
      props.put(dev.tessera.config.ModelOptions.ONLINE_URL.key(), baseUrl());
      List<String> cmd = new ArrayList<>(KafkaBroker.setsid());
      cmd.addAll(dev.tessera.model.launch.ModelServiceProcess.command(options.home(),
          TesseraConfig.configFile(options.home(), options.configFile()).orElse(null), config, p, props, List.of("-Xmx512m")));
      Map<String, String> env = Map.of(TesseraConfig.envName(dev.tessera.config.ModelOptions.API_KEYS.key()), "*:" + apiKey,
          TesseraConfig.envName(dev.tessera.config.ModelOptions.ONLINE_API_KEY.key()), apiKey);
      Path log = upDir.resolve("logs/model-" + name + ".log");
      String url = "http://localhost:" + p;
      status.accept(String.format("  %-9s starting the model service %s on :%d (child JVM) ...", "model", name, p));
      models.add(new ChildSupervisor("model " + name, () -> {
        Process process = dev.tessera.model.launch.ModelServiceProcess.start(cmd, env, log);
        try {
          dev.tessera.model.launch.ModelServiceProcess.awaitListening(process, url, Duration.ofSeconds(120), log);
        } catch (Exception e) {
          process.destroyForcibly();
          throw e;
        }
        return new ChildSupervisor.Child() {
          public boolean alive() {
            return process.isAlive();
          }

          public void stop() {
            process.destroy();
            waitFor(process);
          }
        };
      }, status, log.toString()).start());
      modelUrls.add(url + " (" + name + ")");
      status.accept(String.format("  %-9s %s ready on %s in %.1fs", "model", name, url, secs(t)));
    }
  }

  /**
   * On a first start (every source topic empty) with {@code --history}: past events over the span,
   * in event-time order, before the job starts and before live events, so offline tables,
   * snapshots and audits have data within a minute instead of after allowedLateness of live events.
   */
  private void seedHistory(String bootstrap, Set<String> topics) throws Exception {
    Duration span = options.history() == null ? Duration.ZERO : options.history();
    if (span.isZero() || span.isNegative() || options.rate() <= 0) {
      return;
    }
    long present;
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(dev.tessera.kafka.Consumers.bytes(bootstrap))) {
      List<org.apache.kafka.common.TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        consumer.partitionsFor(topic, Duration.ofSeconds(10)).forEach(i -> partitions.add(new org.apache.kafka.common.TopicPartition(topic, i.partition())));
      }
      present = consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
    if (present > 0) {
      return; // not a first start: the topics have their history
    }
    long t = System.nanoTime();
    int count = (int) Math.min(MAX_HISTORY_EVENTS, options.rate() * span.toSeconds());
    try (EventGenerator history = new EventGenerator(bootstrap, registry.all(), options.rate(), options.entities())) {
      history.history(span, System.currentTimeMillis() - 1000, count);
    }
    status.accept(String.format("  %-9s %,d past events over %s, in event-time order (first start; --history 0 turns it off) in %.1fs",
        "history", count, dev.tessera.contracts.model.Durations.format(span), secs(t)));
  }

  /** The model configs of --models (none without it); INVALID_ARGUMENT when the directory has none. */
  private List<Path> modelConfigs() throws IOException {
    if (options.modelsDir() == null) {
      return List.of();
    }
    List<Path> configs;
    try (var files = Files.list(options.modelsDir())) {
      configs = files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).filter(LocalStack::isModelConfig).sorted().toList();
    }
    if (configs.isEmpty()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "--models " + options.modelsDir() + ": no model config (a YAML file of kind: ModelService)");
    }
    return configs;
  }

  /** The names of the models of --models, read from their configs (every problem named, before anything starts). */
  private List<String> modelNames() throws IOException {
    List<String> names = new ArrayList<>();
    for (Path config : modelConfigs()) {
      var parsed = new dev.tessera.model.config.ModelConfigParser().parse(config);
      if (parsed.config() == null) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, parsed.problems().list().size() + " problem(s) in the model config:\n  "
            + String.join("\n  ", parsed.problems().list().stream().map(p -> p.format()).toList()));
      }
      names.add(parsed.config().name());
    }
    return names;
  }

  private static boolean isModelConfig(Path file) {
    try {
      return Files.readAllLines(file).stream().anyMatch(l -> l.matches("kind:\\s*ModelService\\s*(#.*)?"));
    } catch (IOException e) {
      return false;
    }
  }

  /** The model services started by --models, as {@code url (name)}. */
  public List<String> modelUrls() {
    return modelUrls;
  }

  /** A small spine for the printed snapshot command: the first customers, as of now. */
  private void writeSampleSpine() throws IOException {
    StringBuilder s = new StringBuilder("customer_id,ts,label\n");
    String now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    for (int i = 1; i <= 20; i++) {
      s.append("c-").append(i).append(',').append(now).append(',').append(i % 3 == 0 ? 1 : 0).append('\n');
    }
    Files.writeString(sampleSpine(), s);
  }

  private static double secs(long t) {
    return (System.nanoTime() - t) / 1e9;
  }
}
