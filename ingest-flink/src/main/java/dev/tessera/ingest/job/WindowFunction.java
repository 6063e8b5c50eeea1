package dev.tessera.ingest.job;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.ingest.window.FeatureValues;
import dev.tessera.ingest.window.FeatureWindows;
import dev.tessera.ingest.window.KeyState;
import dev.tessera.ingest.window.KeyStateSerializer;
import dev.tessera.ingest.window.ValueArrayCodec;
import dev.tessera.ingest.decode.RejectReason;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.OutputTag;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The window logic per entity key, in Flink: a fresh row for each event, and final rows when the
 * watermark passes {@code nextTime + allowedLateness} (an event-time timer).
 */
final class WindowFunction extends KeyedProcessFunction<String, JobRecords.Event, JobRecords.Row> {
  /**
   * Events accepted by their partition's lateness rule that still reach a window already final:
   * only when a partition was idle (so the watermark moved on without it) and comes back behind.
   */
  static final OutputTag<JobRecords.Rejected> TOO_LATE = new OutputTag<>("too-late") {};

  private final FeatureSetContract contract;
  private transient FeatureWindows windows;
  private transient ValueState<KeyState> state;
  private transient ValueState<byte[]> keyValues;
  private transient long lateness;
  private transient Counter tooLate;
  /** Whether hot keys' state is held decoded between checkpoints ({@link #held}). */
  private final boolean holdHotKeys;
  /**
   * With a state backend that stores serialized state (RocksDB), every access decodes and every
   * update encodes the key's whole state, pending events included: O(pending) per event, which
   * for a hot key (thousands of events within the lateness horizon) made ingest quadratic. Keys
   * with at least {@link #HOT_PENDING_TIMES} pending event times are held here, decoded and
   * newest-touched last, and written to the backend only when {@link #flush} runs (before every
   * checkpoint or savepoint barrier and at the end of input, by {@link WindowOperator}) or when
   * more than {@link #MAX_HELD} are held (the least recently touched is written back). The
   * backend's copy of a held key is stale in between; nothing but this function reads it, and a
   * failure restores the last checkpoint, whose copy the flush wrote. Null when not holding.
   */
  private transient java.util.LinkedHashMap<String, KeyState> held;
  private transient Keys keys;
  static final int HOT_PENDING_TIMES = 32;
  static final int MAX_HELD = 1024;

  /** The operator's current key, which {@link #flush} moves to each held key to write it. */
  interface Keys {
    Object current();

    void set(Object key);
  }

  WindowFunction(FeatureSetContract contract) {
    this(contract, false);
  }

  /** @param holdHotKeys hold hot keys' state decoded between checkpoints (for the RocksDB state backend) */
  WindowFunction(FeatureSetContract contract, boolean holdHotKeys) {
    this.contract = contract;
    this.holdHotKeys = holdHotKeys;
  }

  void attach(Keys keys) {
    this.keys = keys;
  }

  /** Writes every held key's state to the backend and holds none (a checkpoint follows). */
  void flush() throws java.io.IOException {
    if (held == null || held.isEmpty()) {
      return;
    }
    Object current = keys.current();
    for (java.util.Map.Entry<String, KeyState> e : held.entrySet()) {
      keys.set(e.getKey());
      state.update(e.getValue());
    }
    held.clear();
    if (current != null) {
      keys.set(current);
    }
  }

  private KeyState load(String key) throws java.io.IOException {
    KeyState s = held == null ? null : held.get(key);
    return s != null ? s : state.value();
  }

  private void store(String key, KeyState s) throws java.io.IOException {
    if (held != null && s.pendingTimes() >= HOT_PENDING_TIMES) {
      held.put(key, s);
      if (held.size() > MAX_HELD) {
        java.util.Map.Entry<String, KeyState> eldest = held.entrySet().iterator().next();
        held.remove(eldest.getKey());
        keys.set(eldest.getKey());
        state.update(eldest.getValue());
        keys.set(key);
      }
    } else {
      if (held != null) {
        held.remove(key);
      }
      state.update(s);
    }
  }

  @Override
  public void open(OpenContext context) {
    windows = new FeatureWindows(contract);
    state = getRuntimeContext().getState(new ValueStateDescriptor<>(IngestJob.WINDOW_STATE, new KeyStateSerializer(windows.layout())));
    keyValues = getRuntimeContext().getState(new ValueStateDescriptor<>(IngestJob.KEY_STATE, byte[].class));
    lateness = contract.source().allowedLateness().toMillis();
    tooLate = getRuntimeContext().getMetricGroup().addGroup("reason", RejectReason.LATE.header()).counter("tessera_dlq_events_after_final");
    held = holdHotKeys && keys != null ? new java.util.LinkedHashMap<>(16, 0.75f, true) : null;
  }

  @Override
  public void processElement(JobRecords.Event event, Context ctx, Collector<JobRecords.Row> out) throws Exception {
    KeyState s = load(ctx.getCurrentKey());
    if (s == null) {
      s = windows.newState();
      keyValues.update(event.keyValues);
    } else {
      s = windows.adopt(s);
    }
    if (event.time <= s.finalizedUntil()) {
      JobRecords.Rejected late = new JobRecords.Rejected(event.payload, event.topic, event.partition, event.offset, RejectReason.LATE.header(),
          "event time " + event.time + " is at or before " + s.finalizedUntil() + ", up to which the key's rows are final already"
              + " (its partition was idle while the others moved the watermark on)");
      late.replayOf = event.replayOf;
      ctx.output(TOO_LATE, late);
      tooLate.inc();
      return;
    }
    FeatureValues fresh = windows.onEvent(s, event.time, event.seq, ValueArrayCodec.decode(event.fields));
    out.collect(row(event.keyValues, fresh, true));
    schedule(ctx, s);
    store(ctx.getCurrentKey(), s);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<JobRecords.Row> out) throws Exception {
    KeyState s = load(ctx.getCurrentKey());
    if (s == null) {
      return;
    }
    s = windows.adopt(s);
    long watermark = ctx.timerService().currentWatermark();
    long until = watermark == Long.MAX_VALUE ? Long.MAX_VALUE - 1 : watermark - lateness;
    byte[] key = keyValues.value();
    java.util.List<FeatureValues> finals = windows.finalizeUntil(s, until);
    // The online store keeps a key's newest row (event time, then sequence), and every accepted
    // event's fresh row is in the changelog already. So only the newest of these final rows can
    // change what it holds, and only when no pending event (whose fresh row is newer) remains.
    int toChangelog = s.pendingTimes() == 0 ? finals.size() - 1 : -1;
    for (int i = 0; i < finals.size(); i++) {
      out.collect(row(key, finals.get(i), i == toChangelog));
    }
    schedule(ctx, s);
    store(ctx.getCurrentKey(), s);
  }

  private void schedule(Context ctx, KeyState s) {
    long at = windows.nextTimer(s, lateness);
    if (at != Long.MAX_VALUE) {
      ctx.timerService().registerEventTimeTimer(at);
    }
  }


  private static JobRecords.Row row(byte[] key, FeatureValues v, boolean changelog) {
    return new JobRecords.Row(key, v.eventTime(), v.sequence(), v.values(), v.missing(), v.isFinal(), changelog);
  }
}
