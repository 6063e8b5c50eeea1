package dev.tessera.ingest.backfill;

import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.ingest.window.KeyStateCodec;
import dev.tessera.offline.table.FeatureRow;
import dev.tessera.offline.table.FeatureTableOverwrite;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;

/**
 * Where a replay's results go, whichever engine ran it: the offline rows (written here, or data
 * files written by Flink tasks) into one {@link FeatureTableOverwrite}, validated against the
 * table's snapshot when the backfill started; each key's window state into the {@link
 * StateBootstrap} file; each key's latest changelog row into a local file published after the
 * commit.
 */
final class ReplayOutput implements AutoCloseable {
  private final Table table;
  private final FeatureSetContract contract;
  private final Long startSnapshot;
  private final StateBootstrap.Writer states;
  private final DataOutputStream latest;
  private FeatureTableOverwrite overwrite;
  private long keys;

  ReplayOutput(Table table, FeatureSetContract contract, String bootstrap, Path latestFile) throws IOException {
    this.table = table;
    this.contract = contract;
    this.startSnapshot = FeatureTableOverwrite.currentSnapshot(table);
    this.states = bootstrap == null ? null : new StateBootstrap.Writer(bootstrap);
    this.latest = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(latestFile), 1 << 16));
  }

  boolean withState() {
    return states != null;
  }

  /** Sets the range the rows replace; before the first {@link #row} or {@link #files}. */
  void range(Backfill.Range range) {
    overwrite = FeatureTableOverwrite.begin(table, contract, range.from(), range.to(), startSnapshot);
  }

  void row(FeatureRow row) {
    overwrite.write(row);
  }

  void files(List<DataFile> files) {
    overwrite.addFiles(files);
  }

  /** One key's end: its state (encoded by {@link KeyStateCodec}) when the stream's state is rewritten, and its latest row. */
  void key(String key, byte[] encodedKey, long timer, byte[] state, byte[] latestRow) {
    try {
      if (states != null) {
        states.write(key, encodedKey, timer, state);
      }
      latest.writeInt(encodedKey.length);
      latest.write(encodedKey);
      latest.writeInt(latestRow.length);
      latest.write(latestRow);
      keys++;
    } catch (IOException e) {
      throw TesseraException.io("Cannot write the backfill's outputs", e);
    }
  }

  void key(String key, byte[] encodedKey, KeyReplay.End end) {
    key(key, encodedKey, end.timer(), states == null ? null : KeyStateCodec.encode(end.state()), end.latestRow());
  }

  long keys() {
    return keys;
  }

  long rowsWritten() {
    return overwrite.rowsWritten();
  }

  /** Closes the state file and the latest values; returns the keys in the state file, if any. */
  Optional<Long> finishState() throws IOException {
    latest.close();
    if (states == null) {
      return Optional.empty();
    }
    states.close();
    return Optional.of(states.count());
  }

  long commit() {
    return overwrite.commit();
  }

  @Override
  public void close() throws IOException {
    latest.close();
    if (states != null) {
      states.close();
    }
    if (overwrite != null) {
      overwrite.close();
    }
  }
}
