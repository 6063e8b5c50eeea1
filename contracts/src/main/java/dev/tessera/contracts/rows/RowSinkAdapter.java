package dev.tessera.contracts.rows;

import org.apache.avro.util.Utf8;

/** A {@link RowSink} that ignores everything; override what you need. */
public class RowSinkAdapter implements RowSink {
  @Override
  public void intValue(int feature, int value) {}

  @Override
  public void longValue(int feature, long value) {}

  @Override
  public void floatValue(int feature, float value) {}

  @Override
  public void doubleValue(int feature, double value) {}

  @Override
  public void booleanValue(int feature, boolean value) {}

  @Override
  public void stringValue(int feature, Utf8 value) {}
}
