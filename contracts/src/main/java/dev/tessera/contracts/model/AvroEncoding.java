package dev.tessera.contracts.model;

import java.util.Locale;

/** How Avro records are framed on the topic. */
public enum AvroEncoding {
  /** Plain Avro binary written with the contract's schema. */
  BINARY,
  /** Avro single-object encoding: {@code C3 01}, 8-byte schema fingerprint, binary body. */
  SINGLE_OBJECT,
  /** Confluent wire format: magic byte 0, 4-byte schema id, binary body. */
  CONFLUENT;

  public String yamlName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @Override
  public String toString() {
    return yamlName();
  }
}
