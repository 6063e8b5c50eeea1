package dev.tessera.ingest.job;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.rows.ChangelogRowWriter;
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
  private transient ChangelogRowWriter rows;
  private transient ValueState<KeyState> state;
  private transient ValueState<byte[]> keyValues;
  private transient long lateness;
  private transient Counter tooLate;

  WindowFunction(FeatureSetContract contract) {
    this.contract = contract;
  }

  @Override
  public void open(OpenContext context) {
    windows = new FeatureWindows(contract);
    rows = new ChangelogRowWriter(contract);
    state = getRuntimeContext().getState(new ValueStateDescriptor<>(IngestJob.WINDOW_STATE, new KeyStateSerializer(windows.layout())));
    keyValues = getRuntimeContext().getState(new ValueStateDescriptor<>(IngestJob.KEY_STATE, byte[].class));
    lateness = contract.source().allowedLateness().toMillis();
    tooLate = getRuntimeContext().getMetricGroup().addGroup("reason", RejectReason.LATE.header()).counter("tessera_dlq_events_after_final");
  }

  @Override
  public void processElement(JobRecords.Event event, Context ctx, Collector<JobRecords.Row> out) throws Exception {
    KeyState s = state.value();
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
    out.collect(row(event.keyValues, fresh));
    schedule(ctx, s);
    state.update(s);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<JobRecords.Row> out) throws Exception {
    KeyState s = state.value();
    if (s == null) {
      return;
    }
    s = windows.adopt(s);
    long watermark = ctx.timerService().currentWatermark();
    long until = watermark == Long.MAX_VALUE ? Long.MAX_VALUE - 1 : watermark - lateness;
    byte[] key = keyValues.value();
    for (FeatureValues v : windows.finalizeUntil(s, until)) {
      out.collect(row(key, v));
    }
    schedule(ctx, s);
    state.update(s);
  }

  private void schedule(Context ctx, KeyState s) {
    long at = windows.nextTimer(s, lateness);
    if (at != Long.MAX_VALUE) {
      ctx.timerService().registerEventTimeTimer(at);
    }
  }


  private JobRecords.Row row(byte[] key, FeatureValues v) {
    return new JobRecords.Row(key, v.eventTime(), rows.encode(key, v.values(), v.eventTime(), v.sequence(), v.missing()), v.isFinal());
  }
}
