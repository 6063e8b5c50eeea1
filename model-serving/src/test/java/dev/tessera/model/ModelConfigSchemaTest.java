package dev.tessera.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.tessera.model.config.ModelConfigCheck;
import dev.tessera.model.config.ModelConfigParser;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shipped example model config ({@code model-serving/examples/fraud-scorer.yaml}) passes the
 * parser, the checks against the example contracts and the JSON Schema editors use; the schema
 * flags what an editor should.
 */
class ModelConfigSchemaTest {
  static final Path EXAMPLE = Path.of("examples/fraud-scorer.yaml");

  @Test
  void theExampleParsesPassesTheChecksAndTheSchema() throws Exception {
    ModelConfigParser.Result r = new ModelConfigParser().parse(EXAMPLE);
    assertThat(r.problems().list()).isEmpty();
    ModelConfigCheck.check(r.config(), ModelConfigTest.EXAMPLES, r.problems());
    assertThat(r.problems().list()).isEmpty();
    assertThat(errors(Files.readString(EXAMPLE))).isEmpty();
  }

  @Test
  void theSchemaFlagsWhatEditorsShould() throws Exception {
    String yaml = Files.readString(EXAMPLE);
    assertThat(errors(yaml.replace("artifact:", "artefact:"))).isNotEmpty();
    assertThat(errors(yaml.replace("provider: cpu", "provider: tpu"))).anySatisfy(m -> assertThat(m.getInstanceLocation().toString()).contains("provider"));
    assertThat(errors(yaml.replace("customer_activity:txn_count_1h", "customer_activity"))).isNotEmpty();
    assertThat(errors(yaml.replace("maxWait: 2ms", "maxWait: soon"))).isNotEmpty();
    assertThat(errors(yaml.replace("{default: 0.0}", "{default: none}"))).isNotEmpty();
    assertThat(errors(yaml.replace("customer_activity:amount_max_24h", "customer_activity@1:amount_max_24h"))).isEmpty();
    assertThat(errors(yaml.replace("missing: {default: 0.0}", "missing: reject"))).isEmpty();
  }

  static Set<ValidationMessage> errors(String yaml) throws Exception {
    try (InputStream in = ModelConfigSchemaTest.class.getResourceAsStream("/tessera-model-service.schema.json")) {
      JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
      return schema.validate(new YAMLMapper().readTree(yaml));
    }
  }
}
