package dev.tessera.contracts.rows;

import org.apache.avro.util.Utf8;

/**
 * Receives one changelog row as {@link ChangelogRowReader} resolves it against the reader's
 * contract: feature values by the reader's feature index, typed as the reader's contract says
 * (no boxing), the features that have no value and why, then the row's event time and sequence.
 * A feature that is null in the row is simply not reported.
 */
public interface RowSink {
  void intValue(int feature, int value);

  void longValue(int feature, long value);

  void floatValue(int feature, float value);

  void doubleValue(int feature, double value);

  void booleanValue(int feature, boolean value);

  /** The text is only valid during the call (the reader reuses it). */
  void stringValue(int feature, Utf8 value);

  default void missing(int feature, MissingReason reason) {}

  /** Called last, once per row. */
  default void row(long eventTime, long sequence, WriterSchema writer) {}
}
