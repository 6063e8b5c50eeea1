package dev.tessera.ingest.backfill;

import dev.tessera.contracts.rows.ChangelogRowWriter;
import dev.tessera.ingest.window.FeatureValues;
import dev.tessera.ingest.window.FeatureWindows;
import dev.tessera.ingest.window.KeyState;
import java.util.function.Consumer;

/**
 * The second pass of a backfill, for one key at a time: its accepted events in event-time order
 * through the same window logic as the stream ({@link FeatureWindows}), finalizing behind each
 * event, so state stays bounded. Final rows go to {@code finals}; the latest row (by event time,
 * then sequence) is what the online store should hold; the state at the end is what the stream
 * resumes with.
 */
final class KeyReplay {
  private final FeatureWindows windows;
  private final long sequenceEpoch;
  private final Consumer<FeatureValues> finals;
  private KeyState state;
  private FeatureValues latest;

  /**
   * @param sequenceEpoch where each key's row sequence starts: above any the stream wrote before, so
   *     the backfill's rows win ties of event time in the online store
   */
  KeyReplay(FeatureWindows windows, long sequenceEpoch, Consumer<FeatureValues> finals) {
    this.windows = windows;
    this.sequenceEpoch = sequenceEpoch;
    this.finals = finals;
  }

  void start() {
    state = windows.newState(sequenceEpoch);
    latest = null;
  }

  /** Applies the key's next event (in event-time order); rows before it are final, up to the cut at most. */
  void event(AcceptedEvent e, long cut) {
    emit(windows.finalizeUntil(state, Math.min(e.time() - 1, cut)));
    track(windows.onEvent(state, e.time(), e.seq(), e.fields()));
  }

  /** Finalizes up to {@code cut}; returns the key's state (events after the cut stay pending). */
  KeyState finish(long cut) {
    emit(windows.finalizeUntil(state, cut));
    return state;
  }

  FeatureValues latest() {
    return latest;
  }

  /** How a key ends: its window state, the timer of its next finalization, and its latest row encoded for the changelog. */
  record End(KeyState state, long timer, byte[] latestRow) {}

  /** Finalizes up to {@code cut} and returns what the stream and the online store take over. */
  End end(long cut, byte[] encodedKey, ChangelogRowWriter rowWriter, long lateness) {
    KeyState s = finish(cut);
    return new End(s, windows.nextTimer(s, lateness),
        rowWriter.encode(encodedKey, latest.values(), latest.eventTime(), latest.sequence(), latest.missing()));
  }

  private void emit(java.util.List<FeatureValues> rows) {
    for (FeatureValues v : rows) {
      finals.accept(v);
      track(v);
    }
  }

  private void track(FeatureValues v) {
    if (latest == null || v.eventTime() > latest.eventTime() || (v.eventTime() == latest.eventTime() && v.sequence() > latest.sequence())) {
      latest = v;
    }
  }
}
