package dev.tessera.ingest.job;

/** The records flowing through the ingest job. Public fields and no-arg constructors: Flink POJOs. */
public final class Records {
  private Records() {}

  /** A source payload and where it came from (file mode: partition 0, offset = line number). */
  public static final class Raw {
    public byte[] payload;
    public String topic;
    public int partition;
    public long offset;
    /** Null for Kafka payloads (the contract's encoding); "json" or "binary" for file backfills. */
    public String format;

    public Raw() {}

    public Raw(byte[] payload, String topic, int partition, long offset) {
      this.payload = payload;
      this.topic = topic;
      this.partition = partition;
      this.offset = offset;
    }
  }

  /** An accepted event: key (tagged key values), event time, arrival sequence, projected fields. */
  public static final class Event {
    public String key;
    public byte[] keyValues;
    public long time;
    public long seq;
    public byte[] fields;

    public Event() {}

    Event(String key, byte[] keyValues, long time, long seq, byte[] fields) {
      this.key = key;
      this.keyValues = keyValues;
      this.time = time;
      this.seq = seq;
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

    public Rejected() {}

    Rejected(Raw raw, String reason, String detail) {
      this.payload = raw.payload;
      this.reason = reason;
      this.detail = detail;
      this.topic = raw.topic;
      this.partition = raw.partition;
      this.offset = raw.offset;
    }
  }

  /** A feature row of one key: fresh (changelog only) or final (changelog and Iceberg). */
  public static final class Row {
    public byte[] keyValues;
    public long eventTime;
    public long sequence;
    public byte[] values;
    public boolean isFinal;

    public Row() {}

    Row(byte[] keyValues, long eventTime, long sequence, byte[] values, boolean isFinal) {
      this.keyValues = keyValues;
      this.eventTime = eventTime;
      this.sequence = sequence;
      this.values = values;
      this.isFinal = isFinal;
    }
  }
}
