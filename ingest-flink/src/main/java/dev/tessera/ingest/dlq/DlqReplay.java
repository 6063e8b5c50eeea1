package dev.tessera.ingest.dlq;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.ingest.backfill.Backfill;
import dev.tessera.ingest.backfill.BackfillResult;
import dev.tessera.ingest.decode.Decoded;
import dev.tessera.ingest.decode.EventDecoder;
import dev.tessera.ingest.decode.LatenessRule;
import dev.tessera.ingest.decode.RejectReason;
import dev.tessera.kafka.Consumers;
import dev.tessera.kafka.KafkaClients;
import dev.tessera.kafka.DeadLetters;
import dev.tessera.kafka.DeadLetters.DeadLetter;
import dev.tessera.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.apache.avro.generic.GenericRecord;
import dev.tessera.contracts.schema.SourceTypes;
import dev.tessera.ingest.decode.SourceFields;
import dev.tessera.offline.table.EventTables;
import dev.tessera.offline.table.FeatureTableWriter;
import dev.tessera.offline.table.IcebergValues;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Puts rejected events back once their cause is fixed ({@code tessera dlq replay}): each dead
 * letter of a contract is decoded and validated again with today's contract, and
 *
 * <ul>
 *   <li>still rejected: it stays in the DLQ; its marker records the reason and detail of today's
 *       contract (written again only when they change);
 *   <li>accepted, within the lateness bound of its source partition (its event time after the
 *       partition's latest event time minus maxOutOfOrderness, 1 ms and allowedLateness, as the
 *       stream's {@link LatenessRule} decides): written back into its source partition, with
 *       headers naming the original ({@link DeadLetters#REPLAY_OF}) and the contract major it is
 *       for ({@link DeadLetters#REPLAY_FOR}); the stream counts it once;
 *   <li>accepted but older (or rejected as late before: time only moves on): counted by a
 *       backfill from the events archive, which holds every decodable event, the rejected ones
 *       included, and recomputes the rows from the earliest such event on with today's contract.
 *       A backfill needs the stream stopped; while it runs, these wait.
 * </ul>
 *
 * Each outcome is a marker in the compacted topic {@code <dlq>.replayed}, keyed by DLQ position;
 * the live copies and their markers are written in one Kafka transaction, so a replay that dies
 * half-way wrote both or neither. Letters marked {@code live} or {@code backfilled} are done;
 * a second replay skips them and records nothing new: it changes nothing.
 */
public final class DlqReplay {
  /** What a replay does with a dead letter. */
  public enum Route {
    /** Back into its source partition, for the running stream. */
    LIVE,
    /** Counted by a backfill from the events archive. */
    BACKFILL,
    /** Still rejected by today's contract: stays in the DLQ. */
    REJECTED,
    /** Replayed before (its marker says live or backfilled). */
    DONE
  }

  /** A dead letter and what today's contract makes of it. {@code eventTime}/{@code key}: null when it does not validate. */
  public record Item(DeadLetter letter, Route route, String reason, String detail, Long eventTime, String key) {}

  /** What a replay of one contract's dead letters would do. */
  public record Plan(FeatureSetContract contract, String dlqTopic, List<Item> items, Map<Integer, Long> horizons) {
    public List<Item> route(Route route) {
      return items.stream().filter(i -> i.route() == route).toList();
    }

    /** The earliest event time a backfill must recompute from; null when nothing needs one. */
    public Long backfillFrom() {
      return route(Route.BACKFILL).stream().map(Item::eventTime).min(Long::compare).orElse(null);
    }

    /** The latest event time among the events a backfill counts; null when nothing needs one. */
    public Long backfillTo() {
      return route(Route.BACKFILL).stream().map(Item::eventTime).max(Long::compare).orElse(null);
    }

    /** The keys whose rows a backfill changes. */
    public Set<String> backfillKeys() {
      Set<String> keys = new TreeSet<>();
      route(Route.BACKFILL).forEach(i -> keys.add(i.key()));
      return keys;
    }
  }

  /**
   * What a replay did. {@code backfill}: null when none ran; {@code waiting}: the letters left
   * for a backfill because the stream runs.
   */
  public record Outcome(int live, int backfilled, int waiting, int rejected, int reasonsChanged, int done, BackfillResult backfill) {}

  private static final int TAIL = 500;
  static final String LIVE = "live ";
  static final String BACKFILLED = "backfilled ";
  static final String PENDING = "pending ";
  static final String REJECTED = "rejected ";

  private DlqReplay() {}

  /** A backfill committed to a feature table: when, and the first event time it recomputed. */
  public record BackfillSnapshot(long committedMillis, long from) {}

  /** The backfills committed to a feature table (its snapshots written by {@code tessera backfill}), oldest first. */
  public static List<BackfillSnapshot> backfills(Table table) {
    List<BackfillSnapshot> out = new ArrayList<>();
    for (Snapshot s : table.snapshots()) {
      Map<String, String> summary = s.summary();
      String range = summary.get("tessera.backfill.range");
      if ("backfill".equals(summary.get("tessera.operation")) && range != null) {
        out.add(new BackfillSnapshot(s.timestampMillis(), Long.parseLong(range.substring(0, range.indexOf("..")))));
      }
    }
    return out;
  }

  /**
   * Plans the replay of {@code letters} (the dead letters of {@code contract}, as {@link
   * DeadLetters#read} returns them) with today's {@code contract}, given the markers of earlier
   * replays ({@link DeadLetters#markers}) and the backfills of its feature table ({@link
   * #backfills}): a letter waiting for a backfill is done once one ran from its event time or
   * earlier. Reads the tail of each source partition for its horizon.
   */
  public static Plan plan(KafkaClients kafka, FeatureSetContract contract, List<DeadLetter> letters, Map<String, String> markers,
      List<BackfillSnapshot> backfills) {
    EventDecoder decoder = new EventDecoder(contract, Set.of());
    Map<Integer, Long> horizons = horizons(kafka, contract, decoder);
    long margin = liveMargin(contract);
    List<Item> items = new ArrayList<>();
    for (DeadLetter d : letters) {
      String marker = markers.get(d.position());
      if (marker != null && (marker.startsWith(LIVE) || marker.startsWith(BACKFILLED))) {
        items.add(new Item(d, Route.DONE, d.reason(), marker, null, null));
        continue;
      }
      Object record = d.payload() == null ? new Decoded.Rejected(RejectReason.DECODE_ERROR, "no payload") : decoder.decodeRecord(d.payload());
      Decoded decoded = record instanceof Decoded.Rejected r ? r : decoder.validate((GenericRecord) record);
      if (decoded instanceof Decoded.Rejected r) {
        items.add(new Item(d, Route.REJECTED, r.reason().header(), r.detail(), null, null));
        continue;
      }
      var event = ((Decoded.Accepted) decoded).event();
      if (marker != null && marker.startsWith(PENDING)) {
        long since = Long.parseLong(marker.split(" ")[1]);
        var done = backfills.stream().filter(b -> b.committedMillis() > since && b.from() <= event.eventTime()).findFirst();
        if (done.isPresent()) {
          // counted by a backfill that ran after this replay left it waiting: recorded as backfilled by execute
          items.add(new Item(d, Route.DONE, d.reason(), BACKFILLED + done.get().committedMillis() + " " + contract.id()
              + " (a backfill after the replay)", event.eventTime(), event.keyText()));
          continue;
        }
      }
      Long horizon = horizons.get(d.sourcePartition());
      boolean live = !d.reason().equals(RejectReason.LATE.header()) && d.sourcePartition() >= 0
          && (horizon == null || event.eventTime() > horizon + margin);
      items.add(new Item(d, live ? Route.LIVE : Route.BACKFILL, d.reason(), d.detail(), event.eventTime(), event.keyText()));
    }
    return new Plan(contract, contract.source().dlqTopic(), items, horizons);
  }

  /**
   * How far after the horizon an event must be to go back live: the stream moves on while the
   * replay runs, and an event just after the horizon would reach it late (then it is rejected as
   * late and the next replay counts it through a backfill). A tenth of the lateness bound, at least 5 s.
   */
  static long liveMargin(FeatureSetContract contract) {
    return Math.max(5_000, contract.source().allowedLateness().toMillis() / 10);
  }

  /**
   * The earliest event time among the letters of {@code contract} waiting for a backfill (their
   * markers say {@code pending} and no backfill of {@code backfills} has counted them since), for
   * {@code tessera up --backfill}; empty when none wait.
   */
  public static java.util.Optional<Long> pendingFrom(KafkaClients kafka, FeatureSetContract contract, List<BackfillSnapshot> backfills) {
    Long from = null;
    for (String marker : DeadLetters.markers(kafka, contract.source().dlqTopic()).values()) {
      String[] words = marker.split(" ");
      if (marker.startsWith(PENDING) && words.length >= 5 && words[2].startsWith(contract.majorId() + ".")) {
        long since = Long.parseLong(words[1]);
        long t = Long.parseLong(words[4]);
        if (backfills.stream().noneMatch(b -> b.committedMillis() > since && b.from() <= t)) {
          from = from == null ? t : Math.min(from, t);
        }
      }
    }
    return java.util.Optional.ofNullable(from);
  }

  /**
   * Carries out a plan: live copies and their markers in one transaction; then, with {@code
   * backfill} (the stream is stopped; it runs a backfill from the event time given and returns
   * its result), the backfill and its markers; without it, the backfill letters wait. Markers of
   * letters still rejected are written when their reason or detail changed.
   */
  public static Outcome execute(KafkaClients kafka, Plan plan, LongFunction<BackfillResult> backfill, Consumer<String> progress) {
    String markersTopic = DeadLetters.markersTopic(plan.dlqTopic());
    Topics.ensure(kafka, markersTopic, true, 1);
    Map<String, String> before = DeadLetters.markers(kafka, plan.dlqTopic());
    List<Item> live = plan.route(Route.LIVE);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (Item i : live) {
      DeadLetter d = i.letter();
      RecordHeaders headers = new RecordHeaders();
      headers.add(DeadLetters.REPLAY_OF, utf8(d.sourcePartition() + "/" + originalOffset(d)));
      headers.add(DeadLetters.REPLAY_FOR, utf8(plan.contract().majorId()));
      records.add(new ProducerRecord<>(d.sourceTopic(), d.sourcePartition(), null, null, d.payload(), headers));
      records.add(marker(markersTopic, d, LIVE + now + " " + plan.contract().id() + " into " + d.sourceTopic() + "/" + d.sourcePartition()));
    }
    int reasonsChanged = 0;
    for (Item i : plan.route(Route.REJECTED)) {
      String outcome = " " + plan.contract().id() + " " + i.reason() + ": " + i.detail();
      String previous = before.get(i.letter().position());
      if (previous == null || !previous.endsWith(outcome)) {
        records.add(marker(markersTopic, i.letter(), REJECTED + now + outcome));
        boolean changed = previous != null || !i.reason().equals(i.letter().reason()) || !i.detail().equals(i.letter().detail());
        reasonsChanged += changed ? 1 : 0;
      }
    }
    for (Item i : plan.route(Route.DONE)) {
      String previous = before.get(i.letter().position());
      if (previous != null && previous.startsWith(PENDING) && i.detail().startsWith(BACKFILLED)) {
        records.add(marker(markersTopic, i.letter(), i.detail()));
      }
    }
    send(kafka, records);
    if (!live.isEmpty()) {
      progress.accept(String.format("wrote %,d events back into %s, for the running stream", live.size(), plan.contract().source().topic()));
    }
    List<Item> toBackfill = plan.route(Route.BACKFILL);
    BackfillResult result = null;
    int backfilled = 0;
    List<ProducerRecord<byte[], byte[]>> markers = new ArrayList<>();
    if (!toBackfill.isEmpty() && backfill != null) {
      result = backfill.apply(plan.backfillFrom());
      for (Item i : toBackfill) {
        markers.add(marker(markersTopic, i.letter(), BACKFILLED + System.currentTimeMillis() + " " + plan.contract().id()
            + " snapshot " + result.snapshotId()));
      }
      backfilled = toBackfill.size();
    } else {
      for (Item i : toBackfill) {
        String previous = before.get(i.letter().position());
        if (previous == null || !previous.startsWith(PENDING)) {
          // <time> <contract id> from <event time>: done once a backfill from that time or earlier runs after <time>
          markers.add(marker(markersTopic, i.letter(), PENDING + now + " " + plan.contract().id() + " from " + i.eventTime()));
        }
      }
    }
    send(kafka, markers);
    return new Outcome(live.size(), backfilled, backfill == null ? toBackfill.size() : 0, plan.route(Route.REJECTED).size(), reasonsChanged,
        plan.route(Route.DONE).size(), result);
  }

  /**
   * The positions ({@code <partition>/<offset>} in the source topic) of the backfill route's
   * originals that the events archive lacks: it holds every decodable event the stream read while
   * it archived, so these were rejected while the archive was off.
   */
  public static Set<String> missingFromArchive(Table archive, Plan plan) {
    Map<String, Item> wanted = new HashMap<>();
    for (Item i : plan.route(Route.BACKFILL)) {
      wanted.put(i.letter().sourcePartition() + "/" + originalOffset(i.letter()), i);
    }
    if (wanted.isEmpty()) {
      return Set.of();
    }
    Set<String> missing = new TreeSet<>(wanted.keySet());
    List<Long> offsets = wanted.values().stream().map(i -> originalOffset(i.letter())).distinct().toList();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(archive).select(EventTables.SOURCE, EventTables.PARTITION, EventTables.OFFSET)
        .where(Expressions.and(Expressions.equal(EventTables.SOURCE, EventTables.KAFKA), Expressions.in(EventTables.OFFSET, offsets.toArray())))
        .build()) {
      for (Record r : rows) {
        if (EventTables.KAFKA.equals(r.getField(EventTables.SOURCE).toString())) {
          missing.remove(r.getField(EventTables.PARTITION) + "/" + r.getField(EventTables.OFFSET));
        }
      }
    } catch (java.io.IOException e) {
      throw dev.tessera.errors.TesseraException.io("Cannot read the events archive " + archive.name(), e);
    }
    return missing;
  }

  /**
   * Appends to the events archive the originals of the backfill route it lacks ({@link
   * #missingFromArchive}), at their source positions, as the stream would have archived them;
   * returns how many.
   */
  public static int archiveMissing(Table archive, Plan plan) {
    Set<String> missing = missingFromArchive(archive, plan);
    if (missing.isEmpty()) {
      return 0;
    }
    FeatureSetContract c = plan.contract();
    org.apache.avro.Schema source = c.source().schema();
    EventDecoder decoder = new EventDecoder(c, Set.of());
    SourceFields sourceFields = new SourceFields(c);
    org.apache.iceberg.Schema schema = archive.schema();
    List<Record> records = new ArrayList<>();
    for (Item i : plan.route(Route.BACKFILL)) {
      DeadLetter d = i.letter();
      if (!missing.contains(d.sourcePartition() + "/" + originalOffset(d))) {
        continue;
      }
      Map<String, Object> byName = EventDecoder.fields(source, (GenericRecord) decoder.decodeRecord(d.payload()));
      Object[] values = sourceFields.values(byName);
      org.apache.iceberg.data.GenericRecord r = org.apache.iceberg.data.GenericRecord.create(schema);
      r.setField(EventTables.SOURCE, EventTables.KAFKA);
      r.setField(EventTables.PARTITION, d.sourcePartition());
      r.setField(EventTables.OFFSET, originalOffset(d));
      r.setField(EventTables.EVENT_TIME, IcebergValues.toIceberg(i.eventTime(), schema.findField(EventTables.EVENT_TIME).type()));
      for (int f = 0; f < values.length; f++) {
        org.apache.avro.Schema.Field field = source.getFields().get(f);
        var column = schema.findField(field.name());
        if (column != null) {
          Object v = values[f];
          if (v != null && SourceTypes.isMicros(field.schema())) {
            long micros = ((Number) v).longValue();
            var t = java.time.Instant.EPOCH.plus(micros, java.time.temporal.ChronoUnit.MICROS).atOffset(java.time.ZoneOffset.UTC);
            boolean zoned = column.type() instanceof org.apache.iceberg.types.Types.TimestampType ts && ts.shouldAdjustToUTC();
            r.setField(field.name(), zoned ? t : t.toLocalDateTime());
          } else {
            r.setField(field.name(), IcebergValues.toIceberg(v, column.type()));
          }
        }
      }
      records.add(r);
    }
    FeatureTableWriter.append(archive, records, java.util.Comparator.comparing((Record r) -> (Integer) r.getField(EventTables.PARTITION))
        .thenComparing(r -> (Long) r.getField(EventTables.OFFSET)));
    return records.size();
  }

  /** What to do about the letters left waiting for a backfill (the stream ran during the replay). */
  public static String waitingHint(Plan plan) {
    return String.format("%,d events wait for a backfill of %s from %s: stop the stream, then `tessera up --backfill` (or `tessera dlq"
        + " replay --savepoint <dir>` for a stream of tessera ingest); a later replay marks them done", plan.route(Route.BACKFILL).size(),
        plan.contract().name(), Backfill.time(plan.backfillFrom()));
  }

  /**
   * Where the event itself is in its source partition: a copy an earlier replay wrote back (and the
   * stream rejected again, say as late) stands for its original, which is where the archive keeps it.
   */
  static long originalOffset(DeadLetter d) {
    String of = d.replayOf();
    if (of != null && !of.isEmpty()) {
      try {
        return Long.parseLong(of.substring(of.indexOf('/') + 1));
      } catch (NumberFormatException malformed) {
        return d.sourceOffset();
      }
    }
    return d.sourceOffset();
  }

  private static ProducerRecord<byte[], byte[]> marker(String topic, DeadLetter d, String value) {
    return new ProducerRecord<>(topic, utf8(d.position()), utf8(value));
  }

  /** Sends the records in one transaction: all of them, or none. */
  private static void send(KafkaClients kafka, List<ProducerRecord<byte[], byte[]>> records) {
    if (records.isEmpty()) {
      return;
    }
    Properties p = kafka.producer();
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tessera-dlq-replay-" + UUID.randomUUID());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      producer.initTransactions();
      producer.beginTransaction();
      try {
        for (ProducerRecord<byte[], byte[]> r : records) {
          producer.send(r);
        }
        producer.commitTransaction();
      } catch (RuntimeException e) {
        producer.abortTransaction();
        throw e;
      }
    }
  }

  /**
   * Per source partition, the horizon of the {@link LatenessRule}: the latest event time among its
   * last {@value #TAIL} records (decodable ones) minus the lateness bound; absent for an empty
   * partition.
   */
  static Map<Integer, Long> horizons(KafkaClients kafka, FeatureSetContract contract, EventDecoder decoder) {
    String topic = contract.source().topic();
    LatenessRule rule = new LatenessRule(contract);
    String timeField = contract.source().eventTime();
    boolean micros = dev.tessera.contracts.schema.SourceTypes.isMicros(contract.source().schema().getField(timeField).schema());
    Map<Integer, Long> latest = new TreeMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Consumers.bytes(kafka))) {
      var infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
      if (infos == null) {
        return Map.of();
      }
      List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
      for (TopicPartition tp : partitions) {
        consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - TAIL));
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      Map<TopicPartition, Long> position = new HashMap<>();
      partitions.forEach(tp -> position.put(tp, consumer.position(tp)));
      while (partitions.stream().anyMatch(tp -> position.get(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          position.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
          if (r.value() == null || r.headers().lastHeader(DeadLetters.REPLAY_OF) != null) {
            continue; // replayed copies carry old times
          }
          Object record = decoder.decodeRecord(r.value());
          if (record instanceof GenericRecord g && g.get(timeField) instanceof Long t) {
            latest.merge(r.partition(), micros ? Math.floorDiv(t, 1000) : t, Math::max);
          }
        }
        partitions.forEach(tp -> position.put(tp, Math.max(position.get(tp), consumer.position(tp))));
      }
    }
    Map<Integer, Long> horizons = new TreeMap<>();
    latest.forEach((p, t) -> horizons.put(p, rule.horizon(t)));
    return horizons;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
