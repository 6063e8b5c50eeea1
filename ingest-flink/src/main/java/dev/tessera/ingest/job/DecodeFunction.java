package dev.tessera.ingest.job;

import dev.tessera.contracts.api.AvroEncoding;
import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.rows.EntityKeys;
import dev.tessera.ingest.decode.JsonEvents;
import java.nio.charset.StandardCharsets;
import org.apache.avro.generic.GenericRecord;
import dev.tessera.ingest.decode.Decoded;
import dev.tessera.ingest.decode.EventDecoder;
import dev.tessera.ingest.decode.RejectReason;
import dev.tessera.ingest.window.FeatureWindows;
import dev.tessera.ingest.window.Tagged;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and validates payloads, keyed by source partition, and decides lateness
 * deterministically: an event is late when its time is at or before {@code max earlier time of
 * its partition - maxOutOfOrderness - 1 - allowedLateness}, the watermark its partition alone
 * would give. The same decisions follow from the same per-partition order, so a replay or a
 * file backfill routes exactly the same events to the DLQ; and Flink's real watermark (the
 * minimum over partitions, later) can never have finalized an accepted event's time.
 */
final class DecodeFunction extends KeyedProcessFunction<Integer, Records.Raw, Records.Event> {
  static final OutputTag<Records.Rejected> DLQ = new OutputTag<>("dlq") {};

  private final FeatureSetContract contract;
  private final Set<Integer> confluentIds;
  private transient EventDecoder decoder;
  private transient EventDecoder binaryDecoder;
  private transient FeatureWindows windows;
  private transient ValueState<Long> maxSeen;
  private transient Map<RejectReason, Counter> rejected;
  private transient Counter accepted;

  DecodeFunction(FeatureSetContract contract, Set<Integer> confluentIds) {
    this.contract = contract;
    this.confluentIds = Set.copyOf(confluentIds);
  }

  @Override
  public void open(OpenContext context) {
    decoder = new EventDecoder(contract, confluentIds);
    binaryDecoder = new EventDecoder(contract, confluentIds, AvroEncoding.BINARY);
    windows = new FeatureWindows(contract);
    maxSeen = getRuntimeContext().getState(new ValueStateDescriptor<>("max-seen", Long.class));
    rejected = new EnumMap<>(RejectReason.class);
    for (RejectReason r : RejectReason.values()) {
      rejected.put(r, getRuntimeContext().getMetricGroup().addGroup("reason", r.header()).counter("tessera_dlq_events"));
    }
    accepted = getRuntimeContext().getMetricGroup().counter("tessera_accepted_events");
  }

  @Override
  public void processElement(Records.Raw raw, Context ctx, Collector<Records.Event> out) throws Exception {
    Decoded decoded;
    if (FileEventFormat.JSON.equals(raw.format)) {
      Object record = JsonEvents.toRecord(contract.source().schema(), new String(raw.payload, StandardCharsets.UTF_8));
      decoded = record instanceof Decoded.Rejected r ? r : decoder.validate((GenericRecord) record);
    } else if (FileEventFormat.BINARY.equals(raw.format)) {
      decoded = binaryDecoder.decode(raw.payload);
    } else {
      decoded = decoder.decode(raw.payload);
    }
    if (decoded instanceof Decoded.Rejected r) {
      reject(ctx, raw, r.reason(), r.detail());
      return;
    }
    var event = ((Decoded.Accepted) decoded).event();
    Long max = maxSeen.value();
    long bound = contract.source().maxOutOfOrderness().toMillis() + 1 + contract.source().allowedLateness().toMillis();
    if (max != null && event.eventTime() <= max - bound) {
      reject(ctx, raw, RejectReason.LATE, "event time " + event.eventTime() + " is at or before " + (max - bound)
          + " (latest event time " + max + " minus maxOutOfOrderness, 1 ms and allowedLateness)");
      return;
    }
    if (max == null || event.eventTime() > max) {
      maxSeen.update(event.eventTime());
    }
    accepted.inc();
    byte[] keyValues = EntityKeys.encode(contract, event.keys());
    out.collect(new Records.Event(keyString(event.keys()), keyValues, event.eventTime(),
        raw.offset * 1024 + raw.partition, Tagged.encode(windows.project(event.fields()))));
  }

  private void reject(Context ctx, Records.Raw raw, RejectReason reason, String detail) {
    rejected.get(reason).inc();
    ctx.output(DLQ, new Records.Rejected(raw, reason.header(), detail));
  }

  static String keyString(Object[] keys) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < keys.length; i++) {
      if (i > 0) {
        sb.append('\u0000');
      }
      sb.append(keys[i]);
    }
    return sb.toString();
  }
}
