package dev.tessera.contracts.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Where a feature set's events come from.
 *
 * @param topic the Kafka topic
 * @param format the payload format; only {@code avro} today
 * @param encoding how Avro records are framed
 * @param schemaPath the schema file as written in the contract (relative to the contract file)
 * @param schema the parsed Avro schema of the events
 * @param eventTime the source field that carries event time
 * @param keys entity key name to source field name, in entity key order
 * @param maxOutOfOrderness how far behind the newest event time an event may arrive and still be
 *     on time (the watermark lag)
 * @param allowedLateness how far behind the watermark an event may arrive before it goes to the DLQ
 * @param pii source fields that hold personal data or secrets: shown masked wherever Tessera
 *     shows an event (the DLQ commands)
 */
public record Source(
    String topic,
    String format,
    AvroEncoding encoding,
    String schemaPath,
    Schema schema,
    String eventTime,
    Map<String, String> keys,
    Duration maxOutOfOrderness,
    Duration allowedLateness,
    java.util.Set<String> pii) implements java.io.Serializable {

  public Source {
    requireNonNull(topic, "topic is null");
    requireNonNull(format, "format is null");
    requireNonNull(encoding, "encoding is null");
    requireNonNull(schemaPath, "schemaPath is null");
    requireNonNull(schema, "schema is null");
    requireNonNull(eventTime, "eventTime is null");
    keys = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(keys, "keys is null")));
    requireNonNull(maxOutOfOrderness, "maxOutOfOrderness is null");
    requireNonNull(allowedLateness, "allowedLateness is null");
    pii = Collections.unmodifiableSet(new java.util.LinkedHashSet<>(requireNonNull(pii, "pii is null")));
  }

  /** The dead-letter topic for this source: {@code <topic>.tessera-dlq}. */
  public String dlqTopic() {
    return topic + ".tessera-dlq";
  }
}
