package dev.tessera.kafka;

import dev.tessera.contracts.rows.WriterSchema;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What a changelog topic {@code tessera.online.<name>.v<major>} holds: rows (key = encoded entity
 * key, value = a changelog row of {@code rows.ChangelogRowWriter}) and schema records (header
 * {@value #SCHEMA_HEADER}, key {@code tessera.schema/<fingerprint>}, value the writer schema's
 * JSON). A writer publishes its schema record to every partition before its first row, so a reader
 * of any partition meets the schema before the rows that need it. Compaction keeps schema records:
 * their keys are never rewritten with other values.
 */
public final class ChangelogRecords {
  /** Header marking a schema record. */
  public static final String SCHEMA_HEADER = "tessera.schema";
  private static final byte[] ONE = {'1'};

  private ChangelogRecords() {}

  public static boolean isSchemaRecord(Headers headers) {
    Header h = headers.lastHeader(SCHEMA_HEADER);
    return h != null;
  }

  /** The schema record of {@code schema} for one partition of {@code topic}. */
  public static ProducerRecord<byte[], byte[]> schemaRecord(String topic, int partition, WriterSchema schema) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(SCHEMA_HEADER, ONE);
    byte[] key = ("tessera.schema/" + schema.fingerprintHex()).getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(topic, partition, null, key, schema.toJson(), headers);
  }
}
