package dev.tessera.ingest.job;

import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.TesseraException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the changelog (compacted) and DLQ topics when they are missing. */
final class Topics {
  private Topics() {}

  static void ensure(String bootstrapServers, String topic, boolean compacted, int partitions) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(props)) {
      if (admin.listTopics().names().get().contains(topic)) {
        return;
      }
      NewTopic t = new NewTopic(topic, partitions, (short) -1);
      if (compacted) {
        t.configs(Map.of("cleanup.policy", "compact"));
      }
      admin.createTopics(List.of(t)).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot create topic '" + topic + "' at " + bootstrapServers + ": " + e.getCause().getMessage(), e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot create topic '" + topic + "': interrupted", e);
    }
  }
}
