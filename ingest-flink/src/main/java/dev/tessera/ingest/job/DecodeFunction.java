package dev.tessera.ingest.job;

import dev.tessera.contracts.model.AvroEncoding;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.rows.EntityKeys;
import dev.tessera.ingest.decode.JsonEvents;
import java.nio.charset.StandardCharsets;
import org.apache.avro.generic.GenericRecord;
import dev.tessera.ingest.backfill.StateBootstrap;
import dev.tessera.ingest.decode.Decoded;
import dev.tessera.ingest.decode.EventDecoder;
import dev.tessera.ingest.decode.EventOrder;
import dev.tessera.ingest.decode.LatenessRule;
import dev.tessera.ingest.decode.SourceFields;
import dev.tessera.ingest.decode.RejectReason;
import dev.tessera.ingest.window.FeatureWindows;
import dev.tessera.ingest.window.ValueArrayCodec;
import dev.tessera.offline.table.EventTables;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Validates decoded payloads in the source's task (chained to it, not behind a shuffle): every
 * decodable event goes to the events archive (when this pipeline writes it), then validation,
 * then the {@link LatenessRule} decided per partition in offset order, so a replay of the archive
 * or a file backfill routes exactly the same events to the DLQ.
 *
 * <p>It must stay chained to the source: a partition's records and the watermarks the source
 * derives from them then travel the same channels in order. Behind a shuffle by partition, the
 * watermark of a partition reached the windows through the subtasks that had none of its records,
 * ahead of its records (which then sat behind the watermark with timers that never fired).
 *
 * <p>Each partition's latest event time is operator state (union list state, merged by maximum on
 * restore), so it follows a partition to whichever subtask reads it after a rescale.
 *
 * <p>An event {@code tessera dlq replay} put back into the topic (its {@code tessera.replay.of}
 * header names the original's partition and offset) counts once, whatever happens around it:
 * <ul>
 *   <li>the job of another contract (or major) reading the topic drops it: it accepted the original;
 *   <li>it is archived under its original's position, where the original is archived already
 *       (every decodable event is), so a backfill reads the two as one event;
 *   <li>a second copy of the same original (a replay run twice) is dropped;
 *   <li>a copy of an original that a backfill already counted is dropped: when the stream resumes
 *       with a backfill's window state ({@code bootstrap}), every offset it had read until then
 *       is in the archive the backfill replayed with today's contract, so the originals up to
 *       there (per partition) are counted in that state.
 * </ul>
 *
 * <p>The same bound serves a pipeline that starts fresh with a backfill's state (a new major,
 * backfilled from the archive before it is served): it reads the topic from the beginning and
 * skips the offsets the backfill counted ({@link StateBootstrap#countedThrough}).
 */
final class DecodeFunction extends ProcessFunction<JobRecords.Raw, JobRecords.Event> implements CheckpointedFunction {
  static final OutputTag<JobRecords.Rejected> DLQ = new OutputTag<>("dlq") {};
  static final OutputTag<JobRecords.Archived> ARCHIVE = new OutputTag<>("archive") {};

  private final FeatureSetContract contract;
  private final Set<Integer> confluentIds;
  private final boolean archive;
  private final String bootstrap;
  private transient EventDecoder decoder;
  private transient EventDecoder binaryDecoder;
  private transient FeatureWindows windows;
  private transient LatenessRule lateness;
  private transient Map<Integer, Long> maxSeen;
  private transient ListState<Tuple2<Integer, Long>> maxSeenState;
  private transient Map<RejectReason, Counter> rejected;
  private transient Counter accepted;
  private transient SourceFields sourceFields;
  private transient Map<Integer, Long> maxOffset;
  private transient Map<Integer, Long> backfilledThrough;
  private transient Set<String> replayed;
  private transient Set<String> bootstrapsApplied;
  private transient ListState<Tuple2<Integer, Long>> maxOffsetState;
  private transient ListState<Tuple2<Integer, Long>> backfilledThroughState;
  private transient ListState<String> replayedState;
  private transient ListState<String> bootstrapsState;
  private transient Counter replayCopiesDropped;

  /** @param bootstrap the backfill window state the stream resumes with this time, or null */
  DecodeFunction(FeatureSetContract contract, Set<Integer> confluentIds, boolean archive, String bootstrap) {
    this.contract = contract;
    this.confluentIds = Set.copyOf(confluentIds);
    this.archive = archive;
    this.bootstrap = bootstrap;
  }

  @Override
  public void open(OpenContext context) {
    decoder = new EventDecoder(contract, confluentIds);
    sourceFields = new SourceFields(contract);
    binaryDecoder = new EventDecoder(contract, confluentIds, AvroEncoding.BINARY);
    windows = new FeatureWindows(contract);
    lateness = new LatenessRule(contract);
    rejected = new EnumMap<>(RejectReason.class);
    for (RejectReason r : RejectReason.values()) {
      rejected.put(r, getRuntimeContext().getMetricGroup().addGroup("reason", r.header()).counter("tessera_dlq_events"));
    }
    accepted = getRuntimeContext().getMetricGroup().counter("tessera_accepted_events");
    replayCopiesDropped = getRuntimeContext().getMetricGroup().counter("tessera_replay_copies_dropped");
  }

  @Override
  public void processElement(JobRecords.Raw raw, Context ctx, Collector<JobRecords.Event> out) throws Exception {
    Object[] values;
    if (raw.format == null) {
      Long counted = backfilledThrough.get(raw.partition);
      if (counted != null && raw.offset <= counted) {
        return; // in the events archive a backfill counted into the state this stream started with (a new major reading from the start)
      }
      maxOffset.merge(raw.partition, raw.offset, Math::max);
      if (raw.replayOf != null && !firstCount(raw)) {
        replayCopiesDropped.inc();
        return;
      }
      if (raw.rejection != null) { // decoded in the source
        reject(ctx, raw, RejectReason.valueOf(raw.rejection), raw.rejectionDetail);
        return;
      }
      values = ValueArrayCodec.decode(raw.fields);
    } else {
      Object record = FileEventFormat.JSON.equals(raw.format)
          ? JsonEvents.toRecord(contract.source().schema(), new String(raw.payload, StandardCharsets.UTF_8))
          : binaryDecoder.decodeRecord(raw.payload);
      if (record instanceof Decoded.Rejected r) {
        reject(ctx, raw, r.reason(), r.detail());
        return;
      }
      values = sourceFields.values(EventDecoder.fields(contract.source().schema(), (GenericRecord) record));
    }
    Map<String, Object> fields = sourceFields.map(values);
    Long time = sourceFields.eventTime(fields);
    if (archive) {
      long[] at = raw.replayOf == null ? new long[] {raw.partition, raw.offset} : position(raw.replayOf);
      ctx.output(ARCHIVE, new JobRecords.Archived(raw.format == null ? EventTables.KAFKA : raw.topic, (int) at[0], at[1], time,
          raw.format == null ? raw.fields : ValueArrayCodec.encode(values)));
    }
    Long max = maxSeen.get(raw.partition);
    Decoded decoded = decoder.validate(fields);
    if (decoded instanceof Decoded.Rejected r) {
      // every decodable event with an event time moves its partition on, as it moves the partition's watermark
      if (time != null && (max == null || time > max)) {
        maxSeen.put(raw.partition, time);
      }
      reject(ctx, raw, r.reason(), r.detail());
      return;
    }
    var event = ((Decoded.Accepted) decoded).event();
    String late = lateness.late(event.eventTime(), max);
    if (late != null) {
      reject(ctx, raw, RejectReason.LATE, late);
      return;
    }
    if (max == null || event.eventTime() > max) {
      maxSeen.put(raw.partition, event.eventTime());
    }
    accepted.inc();
    byte[] keyValues = EntityKeys.encode(contract, event.keys());
    out.collect(new JobRecords.Event(event.keyText(), keyValues, event.eventTime(), EventOrder.sequence(raw.partition, raw.offset),
        ValueArrayCodec.encode(windows.project(event.fields())), raw));
  }

  /**
   * Whether a replayed copy is to be counted: false for a copy replayed for another contract, a
   * second copy of the same original, and a copy of an original that a backfill counted already.
   */
  private boolean firstCount(JobRecords.Raw raw) {
    if (raw.replayFor != null && !raw.replayFor.equals(contract.majorId())) {
      return false;
    }
    long[] original;
    try {
      original = position(raw.replayOf);
    } catch (RuntimeException malformed) {
      raw.replayOf = null; // not written by tessera dlq replay: an ordinary event
      return true;
    }
    Long through = backfilledThrough.get((int) original[0]);
    return replayed.add(raw.replayOf) && (through == null || original[1] > through);
  }

  /** {@code <partition>/<offset>} as two numbers. */
  static long[] position(String replayOf) {
    int slash = replayOf.indexOf('/');
    return new long[] {Integer.parseInt(replayOf.substring(0, slash)), Long.parseLong(replayOf.substring(slash + 1))};
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    var store = context.getOperatorStateStore();
    maxSeenState = store.getUnionListState(new ListStateDescriptor<>("partition-max-seen", Types.TUPLE(Types.INT, Types.LONG)));
    maxOffsetState = store.getUnionListState(new ListStateDescriptor<>("partition-max-offset", Types.TUPLE(Types.INT, Types.LONG)));
    backfilledThroughState = store.getUnionListState(
        new ListStateDescriptor<>("replay-backfilled-through", Types.TUPLE(Types.INT, Types.LONG)));
    replayedState = store.getUnionListState(new ListStateDescriptor<>("replay-originals-counted", String.class));
    bootstrapsState = store.getUnionListState(new ListStateDescriptor<>("replay-bootstraps-applied", String.class));
    maxSeen = merged(maxSeenState);
    maxOffset = merged(maxOffsetState);
    backfilledThrough = merged(backfilledThroughState);
    replayed = new java.util.HashSet<>();
    replayedState.get().forEach(replayed::add);
    bootstrapsApplied = new java.util.HashSet<>();
    bootstrapsState.get().forEach(bootstrapsApplied::add);
    if (bootstrap != null && bootstrapsApplied.add(bootstrap)) {
      // resumed with a backfill's state: it counted every event this stream had read, and every event of the archive it read
      maxOffset.forEach((p, o) -> backfilledThrough.merge(p, o, Math::max));
      StateBootstrap.countedThrough(bootstrap).forEach((p, o) -> backfilledThrough.merge(p, o, Math::max));
    }
  }

  private static Map<Integer, Long> merged(ListState<Tuple2<Integer, Long>> state) throws Exception {
    Map<Integer, Long> out = new HashMap<>();
    for (Tuple2<Integer, Long> e : state.get()) {
      out.merge(e.f0, e.f1, Math::max);
    }
    return out;
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    maxSeenState.update(entries(maxSeen));
    maxOffsetState.update(entries(maxOffset));
    backfilledThroughState.update(entries(backfilledThrough));
    replayedState.update(new ArrayList<>(replayed));
    bootstrapsState.update(new ArrayList<>(bootstrapsApplied));
  }

  private static List<Tuple2<Integer, Long>> entries(Map<Integer, Long> byPartition) {
    List<Tuple2<Integer, Long>> entries = new ArrayList<>(byPartition.size());
    byPartition.forEach((p, v) -> entries.add(Tuple2.of(p, v)));
    return entries;
  }

  private void reject(Context ctx, JobRecords.Raw raw, RejectReason reason, String detail) {
    rejected.get(reason).inc();
    ctx.output(DLQ, new JobRecords.Rejected(raw, reason.header(), detail));
  }
}
