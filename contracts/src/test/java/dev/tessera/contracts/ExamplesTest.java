package dev.tessera.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.tessera.contracts.model.AggregateFunction;
import dev.tessera.contracts.model.AvroEncoding;
import dev.tessera.contracts.model.ContractStatus;
import dev.tessera.contracts.model.EntityKey;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.contracts.model.QualityRule;
import dev.tessera.contracts.model.SemVer;
import dev.tessera.contracts.registry.ContractRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The shipped examples: valid, parsed exactly, and valid against the published JSON Schema. */
class ExamplesTest {
  static final ContractRegistry REGISTRY = ContractRegistry.fromDirectory(ContractFixture.EXAMPLES);

  @Test
  void allExamplesAreValidAndCoverTheFormat() {
    assertThat(REGISTRY.all()).extracting(FeatureSetContract::name)
        .containsExactlyInAnyOrder("customer_activity", "customer_merchant", "merchant_risk", "customer_profile");
    // the examples together use every function, every feature type, and a composite key
    assertThat(REGISTRY.all().stream().flatMap(c -> c.features().stream()).map(f -> f.aggregate().function()))
        .contains(AggregateFunction.values());
    assertThat(REGISTRY.all().stream().flatMap(c -> c.features().stream()).map(f -> f.type()))
        .contains(FeatureType.INT, FeatureType.LONG, FeatureType.DOUBLE, FeatureType.BOOLEAN, FeatureType.STRING, FeatureType.TIMESTAMP);
    assertThat(REGISTRY.get("customer_merchant").entity().keyNames()).containsExactly("customer_id", "merchant_id");
    assertThat(REGISTRY.get("customer_merchant").feature("pair_txn_count_7d").orElseThrow().isDeprecated()).isTrue();
    assertThat(REGISTRY.get("customer_profile").source().topic()).isNotEqualTo(REGISTRY.get("customer_activity").source().topic());
    assertThat(REGISTRY.get("merchant_risk").source().topic()).isEqualTo(REGISTRY.get("customer_activity").source().topic());
  }

  @Test
  void customerActivityParsesExactly() {
    FeatureSetContract c = REGISTRY.get("customer_activity");

    assertThat(c.version()).isEqualTo(SemVer.of(1, 0, 0));
    assertThat(c.status()).isEqualTo(ContractStatus.ACTIVE);
    assertThat(c.owner().team()).isEqualTo("risk-data");
    assertThat(c.owner().email()).isEqualTo("risk-data@example.com");
    assertThat(c.entity().keys()).containsExactly(new EntityKey("customer_id", FeatureType.STRING));
    assertThat(c.source().topic()).isEqualTo("payments.transactions");
    assertThat(c.source().encoding()).isEqualTo(AvroEncoding.BINARY);
    assertThat(c.source().eventTime()).isEqualTo("event_time");
    assertThat(c.source().keys()).containsEntry("customer_id", "customer_id");
    assertThat(c.source().maxOutOfOrderness()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.source().allowedLateness()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.source().schema().getField("amount")).isNotNull();
    assertThat(c.windowHop()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.ttl()).isEqualTo(Duration.ofDays(30));
    assertThat(c.featureNames()).containsExactly("txn_count_1h", "amount_sum_24h", "amount_avg_7d", "amount_max_24h", "last_country");
    var sum = c.feature("amount_sum_24h").orElseThrow();
    assertThat(sum.type()).isEqualTo(FeatureType.DOUBLE);
    assertThat(sum.aggregate().function()).isEqualTo(AggregateFunction.SUM);
    assertThat(sum.aggregate().field()).isEqualTo("amount");
    assertThat(sum.aggregate().window()).isEqualTo(Duration.ofHours(24));
    assertThat(c.feature("last_country").orElseThrow().aggregate().window()).isNull();
    assertThat(c.feature("txn_count_1h").orElseThrow().aggregate().field()).isNull();
    assertThat(c.quality()).containsExactly(new QualityRule.NotNull("amount"), new QualityRule.Range("amount", 0.0, 1_000_000.0));
    assertThat(c.sla().freshness()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.sla().availabilityPercent()).isEqualTo(99.9);
    assertThat(c.sla().latencyP99()).isEqualTo(Duration.ofMillis(10));
    assertThat(c.sla().completenessPercent()).isEqualTo(99.5);
    assertThat(c.consumers()).extracting(x -> x.name()).containsExactly("fraud-scoring", "marketing-propensity");
    assertThat(c.tableName()).isEqualTo("customer_activity__v1");
    assertThat(c.changelogTopic()).isEqualTo("tessera.online.customer_activity.v1");
    assertThat(c.source().dlqTopic()).isEqualTo("payments.transactions.tessera-dlq");
  }

  static Stream<Path> exampleFiles() throws Exception {
    return Files.list(ContractFixture.EXAMPLES).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  @ParameterizedTest
  @MethodSource("exampleFiles")
  void exampleIsValidAgainstTheJsonSchema(Path file) throws Exception {
    assertThat(jsonSchemaErrors(Files.readString(file))).isEmpty();
  }

  @Test
  void jsonSchemaRejectsWhatEditorsShouldFlag(@TempDir Path dir) throws Exception {
    String yaml = ContractFixture.example("customer_activity.yaml");

    assertThat(jsonSchemaErrors(yaml.replace("windowHop: 1m", "windowhop: 1m")))
        .anySatisfy(m -> assertThat(m.getMessage()).contains("windowhop"));
    assertThat(jsonSchemaErrors(yaml.replace("window: 24h}", "window: 1 hour}")))
        .anySatisfy(m -> assertThat(m.getInstanceLocation().toString()).contains("window"));
    assertThat(jsonSchemaErrors(yaml.replace("function: max,", "function: median,")))
        .anySatisfy(m -> assertThat(m.getInstanceLocation().toString()).contains("function"));
    assertThat(jsonSchemaErrors(yaml.replace("{function: sum, field: amount, window: 24h}", "{function: sum, window: 24h}")))
        .isNotEmpty();
    assertThat(jsonSchemaErrors(yaml.replace("version: 1.0.0", "version: '1.0'"))).isNotEmpty();
  }

  @Test
  void piiFieldsAreInTheJsonSchema() throws Exception {
    String yaml = ContractFixture.example("customer_activity.yaml").replace("  allowedLateness: 10m", "  allowedLateness: 10m\n  pii: [customer_id]");
    assertThat(jsonSchemaErrors(yaml)).isEmpty();
    assertThat(jsonSchemaErrors(yaml.replace("pii: [customer_id]", "pii: customer_id"))).isNotEmpty();
  }

  @Test
  void sunsetAndReplacementAreInTheJsonSchema() throws Exception {
    String yaml = ContractFixture.example("customer_activity.yaml")
        .replace("version: 1.0.0", "version: 1.0.0\nstatus: deprecated\nsunset: 2027-06-30\nreplacement: customer_activity@2");
    assertThat(jsonSchemaErrors(yaml)).isEmpty();
    assertThat(jsonSchemaErrors(yaml.replace("customer_activity@2", "customer_activity"))).isNotEmpty();
  }

  static Set<ValidationMessage> jsonSchemaErrors(String yaml) throws Exception {
    JsonNode node = new YAMLMapper().readTree(yaml);
    try (InputStream in = ExamplesTest.class.getResourceAsStream("/tessera-contract.schema.json")) {
      JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
      return schema.validate(node);
    }
  }

  @Test
  void registryReportsUnknownFeatureSetWithKnownNames() {
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> REGISTRY.get("customer_activty")))
        .hasMessageContaining("Cannot find feature set 'customer_activty'")
        .hasMessageContaining("customer_activity");
  }

  @Test
  void registryRejectsADirectoryWithDuplicateNames(@TempDir Path dir) {
    ContractFixture.copyExamples(dir);
    ContractFixture.write(dir, "copy.yaml", ContractFixture.example("customer_activity.yaml"));

    var result = ContractRegistry.load(List.of(dir));

    assertThat(result.problems()).singleElement().satisfies(p -> {
      assertThat(p.file()).endsWith("customer_activity.yaml");
      assertThat(p.path()).isEqualTo("name");
      assertThat(p.line()).isEqualTo(3);
      assertThat(p.message()).startsWith("Duplicate feature set name 'customer_activity': also defined in ").contains("copy.yaml:3");
    });
  }
}
