package dev.tessera.ingest.backfill;

import static java.util.Objects.requireNonNull;

import dev.tessera.config.CoreOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.api.TesseraException;
import dev.tessera.contracts.rows.ChangelogRowWriter;
import dev.tessera.contracts.rows.EntityKeys;
import dev.tessera.ingest.window.FeatureValues;
import dev.tessera.ingest.window.FeatureWindows;
import dev.tessera.ingest.window.KeyState;
import dev.tessera.kafka.ChangelogPublisher;
import dev.tessera.offline.OfflineOptions;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.sort.ExternalSorter;
import dev.tessera.offline.table.EventTables;
import dev.tessera.offline.table.FeatureRow;
import dev.tessera.offline.table.FeatureTableOverwrite;
import dev.tessera.offline.table.FeatureTables;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Recomputes a feature set's rows from its topic's events archive with today's contract and the
 * same code as the stream (validation, the lateness rule, {@link FeatureWindows}), in two sorted
 * passes with bounded memory (external sorts spill to disk): archived events in source order
 * through validation and lateness, then each key's accepted events in event-time order through
 * the windows. Then, in this order:
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
  private static final long PROGRESS_EVERY = 1_000_000;

  /**
   * @param from first event time of the rows to replace (null: the earliest archived event)
   * @param to last event time of the rows to replace (null: the cut); ignored with state
   * @param bootstrap where the window state goes (a {@link StateBootstrap} file on any Flink file
   *     system), for a stream stopped with a savepoint; null for the offline rows and changelog only
   * @param publish whether to publish the latest values to the changelog (needs Kafka)
   */
  public record Request(FeatureSetContract contract, Long from, Long to, String bootstrap, boolean publish) {
    public Request {
      requireNonNull(contract, "contract is null");
    }
  }

  private Backfill() {}

  /** Runs the backfill in this process (the local engine). */
  public static BackfillResult run(TesseraConfig config, Request request, Consumer<String> progress) {
    FeatureSetContract contract = request.contract();
    long started = System.nanoTime();
    long epoch = Instant.now().getEpochSecond() << 32;
    Path work = Path.of(config.get(OfflineOptions.SPILL_DIR)).resolve("backfill-" + contract.tableName() + "-" + System.nanoTime());
    long budget = config.get(OfflineOptions.SORT_BUFFER);
    Catalog catalog = Catalogs.open(config);
    try {
      Files.createDirectories(work);
      String namespace = config.get(OfflineOptions.NAMESPACE);
      Table table = new FeatureTables(catalog, namespace).ensure(contract);
      Table archive = new EventTables(catalog, namespace).load(contract.source().topic());
      FeatureWindows windows = new FeatureWindows(contract);
      Replay replay = new Replay(contract);
      long archived = 0;
      long keys = 0;
      long minTime = Long.MAX_VALUE;
      try (ExternalSorter<ArchivedEvent> bySource = new ExternalSorter<>(ArchivedEvent.CODEC, ArchivedEvent.ORDER, budget / 2, work);
          ExternalSorter<AcceptedEvent> byKey = new ExternalSorter<>(AcceptedEvent.CODEC, AcceptedEvent.ORDER, budget / 2, work)) {
        try (CloseableIterable<Record> rows = IcebergGenerics.read(archive).build()) {
          for (Record r : rows) {
            bySource.add(ArchivedEvent.fromArchive(r, contract.source().schema()));
            if (++archived % PROGRESS_EVERY == 0) {
              progress.accept(String.format("read %,d archived events of %s", archived, contract.source().topic()));
            }
          }
        }
        for (Iterator<ArchivedEvent> it = bySource.sorted(); it.hasNext(); ) {
          AcceptedEvent a = replay.accept(it.next());
          if (a != null) {
            byKey.add(a);
            minTime = Math.min(minTime, a.time());
          }
        }
        progress.accept(String.format("replayed %,d archived events: %,d accepted, %,d duplicates dropped, rejected %s",
            archived, replay.accepted(), replay.duplicates(), replay.rejected()));
        long cut = replay.cut();
        boolean rewriteState = request.bootstrap() != null;
        long from = request.from() != null ? request.from() : minTime == Long.MAX_VALUE ? Long.MIN_VALUE / 2 : minTime;
        Long to = rewriteState ? null : Math.min(request.to() == null ? cut : request.to(), cut);
        long rowsTo = to == null ? cut : to;
        Path latestFile = work.resolve("latest.bin");
        ChangelogRowWriter rowWriter = new ChangelogRowWriter(contract);
        long lateness = contract.source().allowedLateness().toMillis();
        byte[][] currentKey = {null};
        try (FeatureTableOverwrite overwrite = FeatureTableOverwrite.begin(table, contract, from, to);
            StateBootstrap.Writer states = rewriteState ? new StateBootstrap.Writer(request.bootstrap()) : null;
            DataOutputStream latest = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(latestFile), 1 << 16))) {
          Object[][] typedKey = {null};
          KeyReplay keyReplay = new KeyReplay(windows, epoch, v -> {
            if (v.isFinal() && v.eventTime() >= from && v.eventTime() <= rowsTo) {
              overwrite.write(new FeatureRow(typedKey[0], v.values(), v.eventTime()));
            }
          });
          String key = null;
          long replayed = 0;
          for (Iterator<AcceptedEvent> it = byKey.sorted(); it.hasNext(); ) {
            AcceptedEvent e = it.next();
            if (!e.key().equals(key)) {
              if (key != null) {
                finishKey(keyReplay, cut, key, currentKey[0], states, latest, rowWriter, windows, lateness);
                keys++;
              }
              key = e.key();
              currentKey[0] = e.encodedKey();
              typedKey[0] = EntityKeys.decode(contract, e.encodedKey());
              keyReplay.start();
            }
            keyReplay.event(e, cut);
            if (++replayed % PROGRESS_EVERY == 0) {
              progress.accept(String.format("windows: %,d of %,d events, %,d keys, %,d rows", replayed, replay.accepted(), keys,
                  overwrite.rowsWritten()));
            }
          }
          if (key != null) {
            finishKey(keyReplay, cut, key, currentKey[0], states, latest, rowWriter, windows, lateness);
            keys++;
          }
          latest.close();
          if (rewriteState) {
            states.close();
            progress.accept(String.format("wrote the window state of %,d keys to %s", states.count(), request.bootstrap()));
          }
          long rows = overwrite.rowsWritten();
          long snapshot = overwrite.commit();
          progress.accept(String.format("committed %,d rows of %s in [%d, %s] as snapshot %d", rows, table.name(), from,
              to == null ? "..." : to.toString(), snapshot));
          long published = request.publish() ? publish(config, contract, rowWriter, latestFile, progress) : 0;
          return new BackfillResult(archived, replay.duplicates(), replay.accepted(), replay.rejected(), keys, rows, from, to, cut, snapshot,
              request.bootstrap(), published, (System.nanoTime() - started) / 1_000_000);
        }
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

  private static void finishKey(KeyReplay keyReplay, long cut, String key, byte[] encodedKey, StateBootstrap.Writer states,
      DataOutputStream latest, ChangelogRowWriter rowWriter, FeatureWindows windows, long lateness) throws IOException {
    KeyState state = keyReplay.finish(cut);
    if (states != null) {
      states.write(key, encodedKey, windows.nextTimer(state, lateness), state);
    }
    FeatureValues last = keyReplay.latest();
    byte[] value = rowWriter.encode(encodedKey, last.values(), last.eventTime(), last.sequence(), last.missing());
    latest.writeInt(encodedKey.length);
    latest.write(encodedKey);
    latest.writeInt(value.length);
    latest.write(value);
  }

  private static long publish(TesseraConfig config, FeatureSetContract contract, ChangelogRowWriter rowWriter, Path latestFile,
      Consumer<String> progress) throws IOException {
    String bootstrap = config.find(CoreOptions.KAFKA_BOOTSTRAP_SERVERS).orElse(null);
    if (bootstrap == null) {
      progress.accept("no Kafka configured (tessera.kafka.bootstrap-servers): latest values not published to the changelog");
      return 0;
    }
    try (ChangelogPublisher publisher = new ChangelogPublisher(bootstrap, contract.changelogTopic(), rowWriter.schema());
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
      throw new UncheckedIOException("Cannot clean up " + dir, e);
    }
  }
}
