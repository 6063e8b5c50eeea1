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
import dev.tessera.contracts.schema.SourceTypes;
import dev.tessera.offline.table.EventTables;
import java.util.EnumMap;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
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
  static final OutputTag<Records.Archived> ARCHIVE = new OutputTag<>("archive") {};

  private final FeatureSetContract contract;
  private final Set<Integer> confluentIds;
  private final boolean archive;
  private transient EventDecoder decoder;
  private transient EventDecoder binaryDecoder;
  private transient FeatureWindows windows;
  private transient ValueState<Long> maxSeen;
  private transient Map<RejectReason, Counter> rejected;
  private transient Counter accepted;
  private transient boolean micros;

  DecodeFunction(FeatureSetContract contract, Set<Integer> confluentIds, boolean archive) {
    this.contract = contract;
    this.confluentIds = Set.copyOf(confluentIds);
    this.archive = archive;
  }

  @Override
  public void open(OpenContext context) {
    decoder = new EventDecoder(contract, confluentIds);
    micros = SourceTypes.isMicros(contract.source().schema().getField(contract.source().eventTime()).schema());
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
    Object record;
    if (FileEventFormat.JSON.equals(raw.format)) {
      record = JsonEvents.toRecord(contract.source().schema(), new String(raw.payload, StandardCharsets.UTF_8));
    } else if (FileEventFormat.BINARY.equals(raw.format)) {
      record = binaryDecoder.decodeRecord(raw.payload);
    } else {
      record = decoder.decodeRecord(raw.payload);
    }
    if (record instanceof Decoded.Rejected r) {
      reject(ctx, raw, r.reason(), r.detail());
      return;
    }
    Map<String, Object> fields = EventDecoder.fields(contract.source().schema(), (GenericRecord) record);
    if (archive) {
      ctx.output(ARCHIVE, archived(raw, fields));
    }
    Decoded decoded = decoder.validate(fields);
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

  private Records.Archived archived(Records.Raw raw, Map<String, Object> fields) {
    List<Schema.Field> schema = contract.source().schema().getFields();
    Object[] values = new Object[schema.size()];
    for (int i = 0; i < values.length; i++) {
      Object v = fields.get(schema.get(i).name());
      values[i] = v == null || v instanceof CharSequence || v instanceof Number || v instanceof Boolean ? v : GenericData.get().toString(v);
    }
    Object time = fields.get(contract.source().eventTime());
    Long eventTime = time == null ? null : micros ? Math.floorDiv((Long) time, 1000) : (Long) time;
    String source = raw.format == null ? EventTables.KAFKA : raw.topic;
    return new Records.Archived(source, raw.partition, raw.offset, eventTime, Tagged.encode(values));
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
