package dev.tessera.ingest.backfill;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.rows.EntityKeys;
import dev.tessera.ingest.decode.Decoded;
import dev.tessera.ingest.decode.EventDecoder;
import dev.tessera.ingest.decode.EventOrder;
import dev.tessera.ingest.decode.LatenessRule;
import dev.tessera.ingest.decode.RejectReason;
import dev.tessera.ingest.decode.SourceEvent;
import dev.tessera.ingest.decode.SourceFields;
import dev.tessera.ingest.window.FeatureWindows;
import dev.tessera.offline.table.EventTables;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The first pass of a backfill: archived events in their source order (source, partition, offset)
 * through today's contract exactly as the stream decides them: validation, then the lateness rule
 * per partition. What it accepts goes on to the window logic, per key ({@link KeyReplay}).
 */
public final class Replay {
  private final FeatureSetContract contract;
  private final EventDecoder decoder;
  private final LatenessRule lateness;
  private final FeatureWindows windows;
  private final SourceFields sourceFields;
  private final Map<String, Long> maxSeen = new HashMap<>();
  private final Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
  private long accepted;
  private long duplicates;
  private ArchivedEvent previous;

  public Replay(FeatureSetContract contract) {
    this.contract = contract;
    this.decoder = new EventDecoder(contract, Set.of());
    this.lateness = new LatenessRule(contract);
    this.windows = new FeatureWindows(contract);
    this.sourceFields = new SourceFields(contract);
  }

  /** The accepted event, or null when it is rejected, late, or a duplicate of the previous one. */
  public AcceptedEvent accept(ArchivedEvent e) {
    if (e.sameCoordinates(previous)) {
      duplicates++;
      return null;
    }
    previous = e;
    Map<String, Object> fields = e.fields(contract.source().schema());
    String partition = e.source() + "/" + e.partition();
    Long max = maxSeen.get(partition);
    Decoded decoded = decoder.validate(fields);
    if (decoded instanceof Decoded.Rejected r) {
      // as the stream: a decodable event with an event time moves its partition on even when invalid
      Long time = sourceFields.eventTime(fields);
      if (time != null && (max == null || time > max)) {
        maxSeen.put(partition, time);
      }
      rejected.merge(r.reason(), 1L, Long::sum);
      return null;
    }
    SourceEvent event = ((Decoded.Accepted) decoded).event();
    if (lateness.late(event.eventTime(), max) != null) {
      rejected.merge(RejectReason.LATE, 1L, Long::sum);
      return null;
    }
    if (max == null || event.eventTime() > max) {
      maxSeen.put(partition, event.eventTime());
    }
    accepted++;
    return new AcceptedEvent(event.keyText(), EntityKeys.encode(contract, event.keys()), event.eventTime(),
        EventOrder.sequence(e.partition(), e.offset()), windows.project(event.fields()));
  }

  /**
   * The time up to which every key's rows are final after the replay: the earliest horizon of the
   * Kafka partitions (no event they accept later can be at or before it). Events of files are all
   * there is of them, so a replay of files only is final to the end.
   */
  public long cut() {
    return cut(lateness, maxSeen);
  }

  /** {@link #cut()} of the partitions' latest event times ({@link #maxSeen()}) of one or more replays. */
  public static long cut(LatenessRule lateness, Map<String, Long> maxSeen) {
    long cut = Long.MAX_VALUE - 1;
    for (var e : maxSeen.entrySet()) {
      if (e.getKey().startsWith(EventTables.KAFKA + "/")) {
        cut = Math.min(cut, lateness.horizon(e.getValue()));
      }
    }
    return cut;
  }

  /** The latest event time seen per partition ({@code source/partition}). */
  public Map<String, Long> maxSeen() {
    return Map.copyOf(maxSeen);
  }

  public long accepted() {
    return accepted;
  }

  public long duplicates() {
    return duplicates;
  }

  public Map<RejectReason, Long> rejected() {
    return Map.copyOf(rejected);
  }
}
