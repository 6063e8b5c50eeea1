package dev.tessera.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.kafka.DeadLetters;
import dev.tessera.online.catalog.DlqMonitor;
import dev.tessera.online.catalog.LiveStatus;
import dev.tessera.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The catalog's DLQ numbers from a real broker: rejected events by reason over the last hour and
 * day (by when they were rejected), events of feature sets this replica does not serve left out,
 * new rejections counted as they come, the oldest kept event found again after retention
 * removed it, and the events no replay has put back (by the replay markers), with the oldest.
 */
@Timeout(120)
class DlqMonitorIT {
  static final long MIN = 60_000;

  @Test
  void countsByReasonOverTheLastHourAndDayAndFollowsRetention() throws Exception {
    FeatureSetContract c = OnlineMaterializationIT.REGISTRY.get("customer_activity");
    String topic = c.source().dlqTopic();
    long now = System.currentTimeMillis();
    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      kafka.createTopic(topic, 1);
      kafka.producer().send(List.of(
          rejected(topic, "customer_activity", "quality_rule", now - 30 * 60 * MIN), // 30 h ago: the oldest, outside the day
          rejected(topic, "customer_activity", "decode_error", now - 120 * MIN),
          rejected(topic, "merchant_risk", "quality_rule", now - 100 * MIN), // not served here
          rejected(topic, "customer_activity", "quality_rule", now - 90 * MIN),
          rejected(topic, "customer_activity", "quality_rule", now - 10 * MIN),
          rejected(topic, "customer_activity", "late", now - 5 * MIN)));
      try (DlqMonitor monitor = new DlqMonitor(kafka.bootstrapServers(), List.of(c)).start()) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          LiveStatus.Dlq s = monitor.status(c);
          assertThat(s.lastHour()).isEqualTo(Map.of("quality_rule", 1L, "late", 1L));
          assertThat(s.lastDay()).isEqualTo(Map.of("quality_rule", 2L, "late", 1L, "decode_error", 1L));
          assertThat(s.oldestEventAgeMs()).isBetween(30 * 60 * MIN - MIN, 30 * 60 * MIN + 5 * MIN);
        });
        assertThat(new ObjectMapper().writeValueAsString(monitor.status(c)))
            .contains("\"last_hour\"").contains("\"last_day\"").contains("\"oldest_event_age_ms\"").contains("\"topic\":\"" + topic + "\"");

        kafka.producer().send(List.of(rejected(topic, "customer_activity", "quality_rule", System.currentTimeMillis())));
        await().atMost(Duration.ofSeconds(30)).until(() -> monitor.status(c).lastHour().get("quality_rule") == 2L);

        // retention removes the two oldest records: the oldest kept is now the one of 120 minutes ago
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
          admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(1))).all().get();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(monitor.status(c).oldestEventAgeMs()).isBetween(120 * MIN - MIN, 120 * MIN + 5 * MIN));
        assertThat(monitor.status(c).lastDay()).as("nothing counted twice by the re-read")
            .isEqualTo(Map.of("quality_rule", 3L, "late", 1L, "decode_error", 1L));
        assertThat(monitor.status(c).unreplayed()).as("offsets 1, 3, 4, 5 and 6 are customer_activity's").isEqualTo(5);
        assertThat(monitor.status(c).oldestUnreplayedAgeMs()).isBetween(120 * MIN - MIN, 120 * MIN + 5 * MIN);

        // tessera dlq replay put back offsets 1 (live) and 3 (backfill); 4 waits for a backfill
        String markers = DeadLetters.markersTopic(topic);
        kafka.createTopic(markers, 1);
        kafka.producer().send(List.of(marker(markers, "0/1", "live 1 customer_activity@1.1.0 into payments.transactions/0"),
            marker(markers, "0/3", "backfilled 1 customer_activity@1.1.0 snapshot 7"), marker(markers, "0/4", "pending 1 customer_activity@1.1.0 from 5")));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          LiveStatus.Dlq s = monitor.status(c);
          assertThat(s.unreplayed()).isEqualTo(3);
          assertThat(s.oldestUnreplayedAgeMs()).isBetween(10 * MIN - MIN, 10 * MIN + 5 * MIN);
        });
        assertThat(new ObjectMapper().writeValueAsString(monitor.status(c))).contains("\"unreplayed\":3").contains("\"oldest_unreplayed_age_ms\"");
      }
    }
  }

  static ProducerRecord<byte[], byte[]> marker(String topic, String position, String outcome) {
    return new ProducerRecord<>(topic, position.getBytes(StandardCharsets.UTF_8), outcome.getBytes(StandardCharsets.UTF_8));
  }

  static ProducerRecord<byte[], byte[]> rejected(String topic, String contract, String reason, long timestamp) {
    RecordHeaders h = new RecordHeaders();
    h.add("tessera.contract", contract.getBytes(StandardCharsets.UTF_8));
    h.add("tessera.version", "1.0.0".getBytes(StandardCharsets.UTF_8));
    h.add("tessera.reason", reason.getBytes(StandardCharsets.UTF_8));
    h.add("tessera.detail", "test".getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(topic, 0, timestamp, null, new byte[] {1, 2, 3}, h);
  }
}
