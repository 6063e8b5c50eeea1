package dev.tessera.testkit;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.rows.ChangelogRowReader;
import dev.tessera.contracts.rows.EntityKeys;
import dev.tessera.contracts.rows.RowValues;
import dev.tessera.contracts.rows.WriterSchema;
import dev.tessera.contracts.rows.WriterSchemas;
import dev.tessera.kafka.ChangelogRecords;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reads a whole changelog topic back, resolving every row with a contract, as the online store would. */
public final class ChangelogTopic {
  /** One row as read: its decoded entity key, and its resolved values. */
  public record Entry(List<Object> key, RowValues row, int partition, long offset) {}

  private ChangelogTopic() {}

  /** Every row of the topic in (partition, offset) order; schema records are used, not returned. */
  public static List<Entry> read(EmbeddedKafka kafka, FeatureSetContract contract) {
    return read(kafka.bootstrapServers(), contract);
  }

  /** As {@link #read(EmbeddedKafka, FeatureSetContract)}, on any broker. */
  public static List<Entry> read(String bootstrapServers, FeatureSetContract contract) {
    WriterSchemas schemas = new WriterSchemas();
    ChangelogRowReader reader = new ChangelogRowReader(contract, schemas);
    List<Entry> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : EmbeddedKafka.readAll(bootstrapServers, contract.changelogTopic())) {
      if (ChangelogRecords.isSchemaRecord(r.headers())) {
        schemas.register(WriterSchema.fromJson(r.value()));
      } else if (r.value() != null) {
        out.add(new Entry(List.of(EntityKeys.decode(contract, r.key())), RowValues.read(reader, r.value()), r.partition(), r.offset()));
      }
    }
    return out;
  }

  /** The winning row per key, by the online store's rule: higher event time, then higher sequence. */
  public static Map<List<Object>, RowValues> latest(EmbeddedKafka kafka, FeatureSetContract contract) {
    return latest(kafka.bootstrapServers(), contract);
  }

  /** As {@link #latest(EmbeddedKafka, FeatureSetContract)}, on any broker. */
  public static Map<List<Object>, RowValues> latest(String bootstrapServers, FeatureSetContract contract) {
    Map<List<Object>, RowValues> latest = new LinkedHashMap<>();
    for (Entry e : read(bootstrapServers, contract)) {
      RowValues prev = latest.get(e.key());
      RowValues row = e.row();
      if (prev == null || row.eventTime() > prev.eventTime() || (row.eventTime() == prev.eventTime() && row.sequence() > prev.sequence())) {
        latest.put(e.key(), row);
      }
    }
    return latest;
  }
}
