package dev.tessera.testkit;

import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.rows.ChangelogRowWriter;
import dev.tessera.contracts.rows.EntityKeys;
import dev.tessera.kafka.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Seeds changelog topics the way ingest writes them: compacted topics, the writer schema record
 * on every partition first, then rows of {@code rows.ChangelogRowWriter} keyed by the encoded
 * entity key (partitioned by key hash, like Kafka's default partitioner).
 */
public final class ChangelogSeeder {
  /** One changelog row: keys as text, feature values by name (absent: null), event time, sequence. */
  public record Row(FeatureSetContract contract, Map<String, String> keys, Map<String, Object> values, long eventTime, long sequence) {}

  private final EmbeddedKafka kafka;
  private final Map<String, ChangelogRowWriter> writers = new HashMap<>();

  public ChangelogSeeder(EmbeddedKafka kafka) {
    this.kafka = kafka;
  }

  /** Creates the compacted changelog topics of {@code contracts} and publishes their writer schemas. */
  public ChangelogSeeder createTopics(List<FeatureSetContract> contracts, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(contracts.stream().map(c -> new NewTopic(c.changelogTopic(), partitions, (short) 1)
          .configs(Map.of("cleanup.policy", "compact"))).toList()).all().get();
      EmbeddedKafka.awaitLeaders(admin, contracts.stream().map(FeatureSetContract::changelogTopic).toList());
    }
    contracts.forEach(this::publishSchema);
    return this;
  }

  /** Publishes the writer schema of {@code contract} (another version of a major, say) to its changelog. */
  public void publishSchema(FeatureSetContract contract) {
    Topics.publishSchema(kafka.bootstrapServers(), contract.changelogTopic(), writer(contract).schema());
  }

  /** Sends rows and waits for every acknowledgement. */
  public void send(List<Row> rows) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(rows.size());
    for (Row row : rows) {
      records.add(new ProducerRecord<>(row.contract().changelogTopic(), EntityKeys.encode(row.contract(), row.keys()), value(row)));
    }
    kafka.producer().send(records);
  }

  public void send(Row row) {
    send(List.of(row));
  }

  /** The changelog value of {@code row}, as ingest writes it. */
  public byte[] value(Row row) {
    FeatureSetContract c = row.contract();
    Object[] keys = new Object[c.entity().keys().size()];
    for (int i = 0; i < keys.length; i++) {
      var k = c.entity().keys().get(i);
      keys[i] = k.type().parse(row.keys().get(k.name()));
    }
    Object[] values = new Object[c.features().size()];
    for (int i = 0; i < values.length; i++) {
      Feature f = c.features().get(i);
      values[i] = f.type().coerce(row.values().get(f.name()));
    }
    return writer(c).encode(keys, values, row.eventTime(), row.sequence(), null);
  }

  private synchronized ChangelogRowWriter writer(FeatureSetContract c) {
    return writers.computeIfAbsent(c.id(), id -> new ChangelogRowWriter(c));
  }
}
