package dev.tessera.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientsTest {
  @TempDir Path home;

  TesseraConfig config(Map<String, String> values) {
    return TesseraConfig.defaults(home, values);
  }

  @Test
  void everyKafkaClientPropertyPassesThroughCommonThenPerRole() throws Exception {
    Path secret = Files.writeString(home.resolve("jaas"), "org.apache.kafka.common.security.scram.ScramLoginModule required "
        + "username=\"tessera\" password=\"s3cret\";\n");
    KafkaClients k = KafkaClients.of(config(Map.of(
        "tessera.kafka.bootstrap-servers", "b-1:9096,b-2:9096",
        "tessera.kafka.security.protocol", "SASL_SSL",
        "tessera.kafka.sasl.mechanism", "SCRAM-SHA-512",
        "tessera.kafka.sasl.jaas.config", "${file:" + secret + "}",
        "tessera.kafka.acks", "all", // a producer property given to all: consumers do not get it
        "tessera.kafka.consumer.fetch.max.bytes", "1048576",
        "tessera.kafka.producer.linger.ms", "50",
        "tessera.kafka.admin.default.api.timeout.ms", "9000")));

    assertThat(k.bootstrapServers()).isEqualTo("b-1:9096,b-2:9096");
    assertThat(k.consumer()).containsEntry("bootstrap.servers", "b-1:9096,b-2:9096").containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("fetch.max.bytes", "1048576")
        .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"tessera\" password=\"s3cret\";")
        .doesNotContainKeys("acks", "linger.ms", "default.api.timeout.ms");
    assertThat(k.producer()).containsEntry("acks", "all").containsEntry("linger.ms", "50").containsEntry("security.protocol", "SASL_SSL")
        .doesNotContainKey("fetch.max.bytes");
    assertThat(k.admin()).containsEntry("default.api.timeout.ms", "9000").doesNotContainKeys("acks", "linger.ms");
    assertThat(k.security()).isEqualTo("security.protocol SASL_SSL, sasl.mechanism SCRAM-SHA-512");
    // secrets never shown
    assertThat(k.describe()).contains("sasl.jaas.config=***").contains("security.protocol=SASL_SSL").doesNotContain("s3cret");
    assertThat(k.toString()).doesNotContain("s3cret");
    assertThat(k.withBootstrapServers("localhost:1").consumer()).containsEntry("bootstrap.servers", "localhost:1")
        .containsEntry("security.protocol", "SASL_SSL");
  }

  @Test
  void aTypoIsAnErrorNamingTheKeyWithADidYouMean() {
    assertThatThrownBy(() -> KafkaClients.of(config(Map.of("tessera.kafka.sasl.mechanizm", "PLAIN",
        "tessera.kafka.consumer.linger.ms", "5"))))
        .isInstanceOf(TesseraException.class)
        .hasMessageContaining("Unknown config key 'tessera.kafka.sasl.mechanizm': 'sasl.mechanizm' is not a Kafka client property")
        .hasMessageContaining("did you mean 'tessera.kafka.sasl.mechanism'?")
        .hasMessageContaining("'tessera.kafka.consumer.linger.ms': 'linger.ms' is not a Kafka consumer property")
        .extracting(e -> ((TesseraException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThatThrownBy(() -> KafkaClients.of(config(Map.of("tessera.kafka.bootstrap.servers", "x:1"))))
        .hasMessageContaining("set the brokers with 'tessera.kafka.bootstrap-servers'");
    // the Tessera config itself leaves these keys to KafkaClients
    assertThat(config(Map.of("tessera.kafka.sasl.mechanism", "PLAIN")).unknownKeys(dev.tessera.config.AllOptions.ALL)).isEmpty();
  }

  @Test
  void aSecretFileThatCannotBeReadIsNamed() {
    assertThatThrownBy(() -> KafkaClients.of(config(Map.of("tessera.kafka.sasl.jaas.config", "${file:/no/such/secret}"))))
        .hasMessageContaining("Cannot expand '${file:/no/such/secret}'");
  }

  @Test
  void noPropertiesMeansPlainConnections() {
    KafkaClients k = KafkaClients.of(config(Map.of("tessera.kafka.bootstrap-servers", "localhost:9092")));
    assertThat(k.hasProperties()).isFalse();
    assertThat(k.consumer()).containsOnlyKeys("bootstrap.servers");
    assertThat(KafkaClients.of(config(Map.of())).bootstrapServers()).isNull();
    assertThat(Consumers.bytes(k)).containsEntry("enable.auto.commit", "false").containsEntry("isolation.level", "read_committed");
  }
}
