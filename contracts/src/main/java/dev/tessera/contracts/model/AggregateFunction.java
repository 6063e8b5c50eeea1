package dev.tessera.contracts.model;

import java.util.Locale;

/**
 * The aggregate functions of a feature. Over an empty window {@code count} and {@code sum} are 0;
 * the others are null. {@code first}/{@code last} pick by event time, not arrival order.
 */
public enum AggregateFunction {
  COUNT,
  SUM,
  AVG,
  MIN,
  MAX,
  FIRST,
  LAST;

  /** Whether the function reads a source field; {@code count} without a field counts events. */
  public boolean needsField() {
    return this != COUNT;
  }

  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return yamlName();
  }
}
