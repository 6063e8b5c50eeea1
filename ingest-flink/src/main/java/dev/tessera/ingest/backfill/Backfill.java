package dev.tessera.ingest.backfill;

import static java.util.Objects.requireNonNull;

import dev.tessera.config.CoreOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.rows.ChangelogRowWriter;
import dev.tessera.ingest.decode.RejectReason;
import dev.tessera.kafka.ChangelogPublisher;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.table.EventTables;
import dev.tessera.offline.table.FeatureTables;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;

/**
 * Recomputes a feature set's rows from its topic's events archive with today's contract and the
 * same code as the stream (validation, the lateness rule, {@code FeatureWindows}), in two sorted
 * passes: archived events in source order through validation and lateness ({@link Replay}), then
 * each key's accepted events in event-time order through the windows ({@link KeyReplay}). The
 * passes run in this process with external sorts that spill to disk ({@link LocalReplay}), or as a
 * Flink batch job whose sorted shuffles do the same on a cluster ({@link FlinkReplay}); both give
 * the same rows, state and latest values. Then, in this order:
 *
 * <ol>
 *   <li>for a stream stopped with a savepoint: each key's window state after the replay, as a
 *       {@link StateBootstrap} file; the stream resumes from that same savepoint and loads it, so
 *       it continues with complete state (added features included) right after the archived events;
 *   <li>one Iceberg snapshot replacing the offline rows of the range (with state: from {@code from}
 *       on, since the resumed stream writes the rows after the replay's cut);
 *   <li>each key's latest row to the changelog, with a sequence above any the stream wrote, so
 *       the online store agrees.
 * </ol>
 *
 * The stream of the feature set must not run meanwhile: stop it with a savepoint first, and
 * resume it from that savepoint with the bootstrap file.
 */
public final class Backfill {
  static final long PROGRESS_EVERY = 1_000_000;

  /** Where the replay runs: in this process, or as a Flink batch job (a MiniCluster, or {@code tessera.flink.rest}). */
  public enum Engine {
    LOCAL, FLINK;

    public static Engine parse(String text, String option) {
      for (Engine e : values()) {
        if (e.name().equalsIgnoreCase(text)) {
          return e;
        }
      }
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, option + " '" + text + "': expected local or flink");
    }
  }

  /**
   * @param from first event time of the rows to replace (null: the earliest archived event)
   * @param to last event time of the rows to replace (null: the cut); ignored with state
   * @param bootstrap where the window state goes (a {@link StateBootstrap} file on any Flink file
   *     system), for a stream stopped with a savepoint; null for the offline rows and changelog only
   * @param publish whether to publish the latest values to the changelog (needs Kafka)
   * @param sequenceEpoch where each key's row sequence starts (null: now, in seconds, shifted left
   *     by 32 bits: above any sequence the stream or an earlier backfill wrote); fixed, a replay is
   *     reproducible to the byte
   * @param keepLatest where to keep each key's latest changelog row for publishing later ({@link
   *     #publish}), when Kafka is not up now; null: none kept
   */
  public record Request(FeatureSetContract contract, Long from, Long to, String bootstrap, boolean publish, Long sequenceEpoch,
      Path keepLatest) {
    public Request {
      requireNonNull(contract, "contract is null");
    }

    public Request(FeatureSetContract contract, Long from, Long to, String bootstrap, boolean publish) {
      this(contract, from, to, bootstrap, publish, null, null);
    }

    /** The same request with a fixed sequence epoch. */
    public Request withSequenceEpoch(long epoch) {
      return new Request(contract, from, to, bootstrap, publish, epoch, keepLatest);
    }

    /** The same request, keeping the latest values in {@code file} for a later {@link #publish}. */
    public Request withKeptLatest(Path file) {
      return new Request(contract, from, to, bootstrap, publish, sequenceEpoch, file);
    }
  }

  /**
   * The event times whose offline rows a backfill replaces, {@code [from, to]} ({@code to} null:
   * no upper bound, with state, where the resumed stream writes the rows after the cut), and the
   * last row time it writes, {@code rowsTo}.
   */
  record Range(long from, Long to, long rowsTo) implements java.io.Serializable {
    /** The range of a request, given the replay's earliest accepted event time and its cut. */
    static Range of(Long requestFrom, Long requestTo, boolean withState, long minTime, long cut) {
      long from = requestFrom != null ? requestFrom : minTime == Long.MAX_VALUE ? Long.MIN_VALUE / 2 : minTime;
      Long to = withState ? null : Math.min(requestTo == null ? cut : requestTo, cut);
      return new Range(from, to, to == null ? cut : to);
    }

    boolean contains(long eventTime) {
      return eventTime >= from && eventTime <= rowsTo;
    }
  }

  /** What the replay of either engine counted. */
  record Replayed(long archived, long duplicates, long accepted, Map<RejectReason, Long> rejected, long keys, long cut, Range range) {}

  private Backfill() {}

  /** Runs the backfill in this process (the local engine). */
  public static BackfillResult run(TesseraConfig config, Request request, Consumer<String> progress) {
    return run(config, request, Engine.LOCAL, progress);
  }

  /** Runs the backfill, its replay on {@code engine}; the commit and the publishing happen here either way. */
  public static BackfillResult run(TesseraConfig config, Request request, Engine engine, Consumer<String> progress) {
    FeatureSetContract contract = request.contract();
    long started = System.nanoTime();
    long epoch = request.sequenceEpoch() != null ? request.sequenceEpoch() : Instant.now().getEpochSecond() << 32;
    Path work = Path.of(config.get(OfflineOptions.SPILL_DIR)).resolve("backfill-" + contract.tableName() + "-" + System.nanoTime());
    Catalog catalog = Catalogs.open(config);
    try {
      Files.createDirectories(work);
      String namespace = config.get(OfflineOptions.NAMESPACE);
      Table table = new FeatureTables(catalog, namespace).ensure(contract);
      Table archive = new EventTables(catalog, namespace).load(contract.source().topic());
      java.util.Map<Integer, Long> countedThrough = request.bootstrap() == null ? null : EventTables.kafkaOffsets(archive);
      Path latestFile = work.resolve("latest.bin");
      try (ReplayOutput out = new ReplayOutput(table, contract, request.bootstrap(), latestFile)) {
        Replayed r = switch (engine) {
          case LOCAL -> LocalReplay.run(config, archive, request, epoch, work, out, progress);
          case FLINK -> FlinkReplay.run(config, archive, table, request, epoch, out, progress);
        };
        out.finishState().ifPresent(n -> progress.accept(String.format("wrote the window state of %,d keys to %s", n, request.bootstrap())));
        if (countedThrough != null) {
          StateBootstrap.writeCountedThrough(request.bootstrap(), countedThrough);
        }
        long rows = out.rowsWritten();
        long snapshot = out.commit();
        progress.accept(String.format("committed %,d rows of %s in [%s, %s] as snapshot %d", rows, table.name(), time(r.range().from()),
            r.range().to() == null ? "..." : time(r.range().to()), snapshot));
        if (request.keepLatest() != null) {
          Files.copy(latestFile, request.keepLatest(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          progress.accept(String.format("kept the latest values of %,d keys in %s, to publish when Kafka is up", r.keys(), request.keepLatest()));
        }
        dev.tessera.kafka.KafkaClients kafka = dev.tessera.kafka.KafkaClients.of(config);
        long published = 0;
        if (request.publish() && kafka.bootstrapServers() == null) {
          progress.accept("no Kafka configured (tessera.kafka.bootstrap-servers): latest values not published to the changelog");
        } else if (request.publish()) {
          dev.tessera.kafka.Topics.ensure(kafka, contract.changelogTopic(), true, config.get(dev.tessera.config.IngestOptions.CHANGELOG_PARTITIONS),
              config.get(dev.tessera.config.IngestOptions.REPLICATION_FACTOR));
          published = publish(kafka, contract, latestFile, progress);
        }
        return new BackfillResult(r.archived(), r.duplicates(), r.accepted(), r.rejected(), r.keys(), rows, r.range().from(),
            r.range().to(), r.cut(), snapshot, request.bootstrap(), published, (System.nanoTime() - started) / 1_000_000);
      }
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.IO_ERROR, "Cannot backfill " + contract.id() + ": " + e.getMessage(), e);
    } finally {
      deleteTree(work);
      if (catalog instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception ignored) {
          // closing the catalog's connection pool
        }
      }
    }
  }

  /** An event time for messages: the instant, or "the end" for the cut of a replay that is final to the end. */
  public static String time(long millis) {
    return millis >= Long.MAX_VALUE / 2 ? "the end" : millis <= Long.MIN_VALUE / 2 ? "the start" : java.time.Instant.ofEpochMilli(millis).toString();
  }

  /**
   * Publishes each key's latest row of a backfill (its kept file, {@link Request#keepLatest}) to
   * the feature set's changelog, created first when missing (a new major backfilled before its
   * stream ever ran); returns the number of keys.
   */
  public static long publish(dev.tessera.kafka.KafkaClients kafka, FeatureSetContract contract, Path latestFile, Consumer<String> progress)
      throws IOException {
    dev.tessera.kafka.Topics.ensure(kafka, contract.changelogTopic(), true, 1);
    try (ChangelogPublisher publisher = new ChangelogPublisher(kafka, contract.changelogTopic(), new ChangelogRowWriter(contract).schema());
        DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(latestFile), 1 << 16))) {
      while (true) {
        byte[] key;
        try {
          key = new byte[in.readInt()];
        } catch (EOFException end) {
          break;
        }
        in.readFully(key);
        byte[] value = new byte[in.readInt()];
        in.readFully(value);
        publisher.send(key, value);
      }
      long n = publisher.finish();
      progress.accept(String.format("published the latest values of %,d keys to %s", n, contract.changelogTopic()));
      return n;
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw TesseraException.io("Cannot clean up " + dir, e);
    }
  }
}
