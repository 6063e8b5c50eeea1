package dev.tessera.ingest.job;

import dev.tessera.contracts.model.AvroEncoding;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.rows.EntityKeys;
import dev.tessera.ingest.decode.JsonEvents;
import java.nio.charset.StandardCharsets;
import org.apache.avro.generic.GenericRecord;
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
 */
final class DecodeFunction extends ProcessFunction<JobRecords.Raw, JobRecords.Event> implements CheckpointedFunction {
  static final OutputTag<JobRecords.Rejected> DLQ = new OutputTag<>("dlq") {};
  static final OutputTag<JobRecords.Archived> ARCHIVE = new OutputTag<>("archive") {};

  private final FeatureSetContract contract;
  private final Set<Integer> confluentIds;
  private final boolean archive;
  private transient EventDecoder decoder;
  private transient EventDecoder binaryDecoder;
  private transient FeatureWindows windows;
  private transient LatenessRule lateness;
  private transient Map<Integer, Long> maxSeen;
  private transient ListState<Tuple2<Integer, Long>> maxSeenState;
  private transient Map<RejectReason, Counter> rejected;
  private transient Counter accepted;
  private transient SourceFields sourceFields;

  DecodeFunction(FeatureSetContract contract, Set<Integer> confluentIds, boolean archive) {
    this.contract = contract;
    this.confluentIds = Set.copyOf(confluentIds);
    this.archive = archive;
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
  }

  @Override
  public void processElement(JobRecords.Raw raw, Context ctx, Collector<JobRecords.Event> out) throws Exception {
    Object[] values;
    if (raw.format == null) {
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
      ctx.output(ARCHIVE, new JobRecords.Archived(raw.format == null ? EventTables.KAFKA : raw.topic, raw.partition, raw.offset, time,
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

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    maxSeenState = context.getOperatorStateStore().getUnionListState(
        new ListStateDescriptor<>("partition-max-seen", Types.TUPLE(Types.INT, Types.LONG)));
    maxSeen = new HashMap<>();
    for (Tuple2<Integer, Long> e : maxSeenState.get()) {
      maxSeen.merge(e.f0, e.f1, Math::max);
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    List<Tuple2<Integer, Long>> entries = new ArrayList<>(maxSeen.size());
    maxSeen.forEach((p, t) -> entries.add(Tuple2.of(p, t)));
    maxSeenState.update(entries);
  }

  private void reject(Context ctx, JobRecords.Raw raw, RejectReason reason, String detail) {
    rejected.get(reason).inc();
    ctx.output(DLQ, new JobRecords.Rejected(raw, reason.header(), detail));
  }
}
