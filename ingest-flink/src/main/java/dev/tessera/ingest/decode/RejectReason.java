package dev.tessera.ingest.decode;

/** Why an event goes to the DLQ; the {@code tessera.reason} header and the metric label. */
public enum RejectReason {
  /** The payload is not a record of the contract's schema (bad bytes, truncated, trailing bytes). */
  DECODE_ERROR,
  /** The framing names another schema: a single-object fingerprint or Confluent schema id that is not the contract's. */
  SCHEMA_MISMATCH,
  /** An entity key field is null. */
  MISSING_KEY,
  /** The event-time field is null. */
  MISSING_EVENT_TIME,
  /** A quality rule of the contract failed. */
  QUALITY_RULE,
  /** The event is later than allowedLateness behind the watermark. */
  LATE;

  public String header() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
