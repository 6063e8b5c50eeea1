package dev.tessera.ingest.backfill;

import dev.tessera.config.TesseraConfig;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.rows.ChangelogRowWriter;
import dev.tessera.contracts.rows.EntityKeys;
import dev.tessera.ingest.window.FeatureWindows;
import dev.tessera.config.OfflineOptions;
import dev.tessera.offline.sort.ExternalSorter;
import dev.tessera.offline.table.FeatureRow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.function.Consumer;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The backfill's replay in this process: the archive read into an external sort by source order,
 * {@link Replay} over it into a second external sort by key and event time, {@link KeyReplay}
 * over that. Memory is bounded by {@code tessera.snapshot.sort-buffer}; runs spill to {@code work}.
 */
final class LocalReplay {
  private LocalReplay() {}

  static Backfill.Replayed run(TesseraConfig config, Table archive, Backfill.Request request, long epoch, Path work, ReplayOutput out,
      Consumer<String> progress) throws IOException {
    FeatureSetContract contract = request.contract();
    long budget = config.get(OfflineOptions.SORT_BUFFER);
    Replay replay = new Replay(contract);
    long archived = 0;
    long minTime = Long.MAX_VALUE;
    try (ExternalSorter<ArchivedEvent> bySource = new ExternalSorter<>(ArchivedEvent.CODEC, ArchivedEvent.ORDER, budget / 2, work);
        ExternalSorter<AcceptedEvent> byKey = new ExternalSorter<>(AcceptedEvent.CODEC, AcceptedEvent.ORDER, budget / 2, work)) {
      try (CloseableIterable<Record> rows = IcebergGenerics.read(archive).build()) {
        for (Record r : rows) {
          bySource.add(ArchivedEvent.fromArchive(r, contract.source().schema()));
          if (++archived % Backfill.PROGRESS_EVERY == 0) {
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
      Backfill.Range range = Backfill.Range.of(request.from(), request.to(), out.withState(), minTime, cut);
      out.range(range);
      FeatureWindows windows = new FeatureWindows(contract);
      ChangelogRowWriter rowWriter = new ChangelogRowWriter(contract);
      long lateness = contract.source().allowedLateness().toMillis();
      Object[][] typedKey = {null};
      KeyReplay keyReplay = new KeyReplay(windows, epoch, v -> {
        if (v.isFinal() && range.contains(v.eventTime())) {
          out.row(new FeatureRow(typedKey[0], v.values(), v.eventTime()));
        }
      });
      String key = null;
      byte[] encodedKey = null;
      long replayed = 0;
      for (Iterator<AcceptedEvent> it = byKey.sorted(); it.hasNext(); ) {
        AcceptedEvent e = it.next();
        if (!e.key().equals(key)) {
          if (key != null) {
            out.key(key, encodedKey, keyReplay.end(cut, encodedKey, rowWriter, lateness));
          }
          key = e.key();
          encodedKey = e.encodedKey();
          typedKey[0] = EntityKeys.decode(contract, encodedKey);
          keyReplay.start();
        }
        keyReplay.event(e, cut);
        if (++replayed % Backfill.PROGRESS_EVERY == 0) {
          progress.accept(String.format("windows: %,d of %,d events, %,d keys, %,d rows", replayed, replay.accepted(), out.keys(),
              out.rowsWritten()));
        }
      }
      if (key != null) {
        out.key(key, encodedKey, keyReplay.end(cut, encodedKey, rowWriter, lateness));
      }
      return new Backfill.Replayed(archived, replay.duplicates(), replay.accepted(), replay.rejected(), out.keys(), cut, range);
    }
  }
}
