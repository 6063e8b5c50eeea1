package dev.tessera.ingest.job;

/** The records flowing through the ingest job. Public fields and no-arg constructors: Flink POJOs. */
public final class JobRecords {
  private JobRecords() {}

  /**
   * A source payload and where it came from (file mode: partition 0, offset = line number). Read
   * from Kafka it is decoded already (so the source can give each partition its own watermark
   * from event time): {@code fields} holds the source fields (ValueArrayCodec, source schema order) and
   * {@code eventTime} the event time, or {@code rejection}/{@code rejectionDetail} say why it
   * cannot be decoded.
   */
  public static final class Raw {
    public byte[] payload;
    public String topic;
    public int partition;
    public long offset;
    /** Null for Kafka payloads (the contract's encoding); "json" or "binary" for file backfills. */
    public String format;
    public byte[] fields;
    public Long eventTime;
    public String rejection;
    public String rejectionDetail;
    /**
     * For an event {@code tessera dlq replay} put back: where the original, rejected one is in
     * the same topic ({@code <partition>/<offset>}, from the {@code tessera.replay.of} header);
     * null for every other event.
     */
    public String replayOf;
    /** For a replayed event: the contract major it is replayed for ({@code <name>@<major>}). */
    public String replayFor;

    public Raw() {}

    public Raw(byte[] payload, String topic, int partition, long offset) {
      this.payload = payload;
      this.topic = topic;
      this.partition = partition;
      this.offset = offset;
    }
  }

  /**
   * An accepted event: key (as text, for keyBy), the encoded entity key, event time, arrival
   * sequence, projected fields, and where it came from with its original bytes (for the DLQ, should
   * it reach a window that is already final).
   */
  public static final class Event {
    public String key;
    public byte[] keyValues;
    public long time;
    public long seq;
    public byte[] fields;
    public byte[] payload;
    public String topic;
    public int partition;
    public long offset;
    public String replayOf;

    public Event() {}

    Event(String key, byte[] keyValues, long time, long seq, byte[] fields, Raw raw) {
      this.key = key;
      this.keyValues = keyValues;
      this.time = time;
      this.seq = seq;
      this.fields = fields;
      this.payload = raw.payload;
      this.topic = raw.topic;
      this.partition = raw.partition;
      this.offset = raw.offset;
      this.replayOf = raw.replayOf;
    }
  }

  /**
   * A decodable event for the events archive: where it came from ({@code source} is {@code kafka}
   * or the backfill file), its event time (null when absent) and its source fields in the source
   * schema's order (ValueArrayCodec; text for types features cannot read).
   */
  public static final class Archived {
    public String source;
    public int partition;
    public long offset;
    public Long eventTime;
    public byte[] fields;

    public Archived() {}

    Archived(String source, int partition, long offset, Long eventTime, byte[] fields) {
      this.source = source;
      this.partition = partition;
      this.offset = offset;
      this.eventTime = eventTime;
      this.fields = fields;
    }
  }

  /** A rejected payload for the DLQ, with the original bytes. */
  public static final class Rejected {
    public byte[] payload;
    public String reason;
    public String detail;
    public String topic;
    public int partition;
    public long offset;
    /** As {@link Raw#replayOf}: a replayed event rejected again names its original. */
    public String replayOf;

    public Rejected() {}

    Rejected(Raw raw, String reason, String detail) {
      this(raw.payload, raw.topic, raw.partition, raw.offset, reason, detail);
      this.replayOf = raw.replayOf;
    }

    Rejected(byte[] payload, String topic, int partition, long offset, String reason, String detail) {
      this.payload = payload;
      this.reason = reason;
      this.detail = detail;
      this.topic = topic;
      this.partition = partition;
      this.offset = offset;
    }
  }

  /**
   * A feature row of one key, as the window computed it: the encoded entity key (the changelog
   * record key), the values (contract order, typed as the contract says), the row's event time,
   * sequence and not-yet-served features ({@code missing}, by feature index; null when none).
   * Fresh rows go to the changelog only; final rows to Iceberg, and to the changelog when
   * {@code changelog} says so (see {@link WindowFunction}: a final row the online store would
   * never keep is not sent). Each sink encodes the row itself: no encoding is decoded again.
   */
  public static final class Row {
    public byte[] key;
    public long eventTime;
    public long sequence;
    public Object[] values;
    public java.util.BitSet missing;
    public boolean isFinal;
    public boolean changelog;

    public Row() {}

    Row(byte[] key, long eventTime, long sequence, Object[] values, java.util.BitSet missing, boolean isFinal, boolean changelog) {
      this.key = key;
      this.eventTime = eventTime;
      this.sequence = sequence;
      this.values = values;
      this.missing = missing;
      this.isFinal = isFinal;
      this.changelog = changelog;
    }
  }
}
