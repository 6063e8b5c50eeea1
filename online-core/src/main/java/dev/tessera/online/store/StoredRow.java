package dev.tessera.online.store;

import static java.util.Objects.requireNonNull;

/**
 * The current online value of one key: the changelog value bytes (Avro changelog row) with the
 * event time and sequence that order writes.
 */
public record StoredRow(byte[] value, long eventTime, long sequence) {
  public StoredRow {
    requireNonNull(value, "value is null");
  }

  /** Whether this row wins over {@code other}: higher event time, then higher sequence. */
  public boolean newerThan(StoredRow other) {
    return other == null || eventTime > other.eventTime || (eventTime == other.eventTime && sequence > other.sequence);
  }
}
