package dev.tessera.contracts.rows;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.util.Utf8;

/**
 * One resolved changelog row as objects (for JSON answers, audits and tests; the Arrow path uses a
 * {@link RowSink} directly): values in the reader's feature order (null when null or missing), the
 * missing features with their reason, the event time, sequence and writer.
 */
public record RowValues(Object[] values, Map<Integer, MissingReason> missing, long eventTime, long sequence, WriterSchema writer) {
  /** Reads {@code row} with {@code reader}. */
  public static RowValues read(ChangelogRowReader reader, byte[] row) {
    Object[] values = new Object[reader.contract().features().size()];
    Map<Integer, MissingReason> missing = new TreeMap<>();
    long[] header = {Long.MIN_VALUE, Long.MIN_VALUE};
    WriterSchema[] writer = {null};
    reader.read(row, new RowSink() {
      @Override
      public void intValue(int f, int v) {
        values[f] = v;
      }

      @Override
      public void longValue(int f, long v) {
        values[f] = v;
      }

      @Override
      public void floatValue(int f, float v) {
        values[f] = v;
      }

      @Override
      public void doubleValue(int f, double v) {
        values[f] = v;
      }

      @Override
      public void booleanValue(int f, boolean v) {
        values[f] = v;
      }

      @Override
      public void stringValue(int f, Utf8 v) {
        values[f] = v.toString();
      }

      @Override
      public void missing(int f, MissingReason reason) {
        values[f] = null;
        missing.put(f, reason);
      }

      @Override
      public void row(long eventTime, long sequence, WriterSchema w) {
        header[0] = eventTime;
        header[1] = sequence;
        writer[0] = w;
      }
    });
    return new RowValues(values, Collections.unmodifiableMap(missing), header[0], header[1], writer[0]);
  }
}
