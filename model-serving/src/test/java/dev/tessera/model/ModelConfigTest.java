package dev.tessera.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.model.Problem;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.model.config.ModelConfig;
import dev.tessera.model.config.ModelConfigCheck;
import dev.tessera.model.config.ModelConfigParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model service config: read with positions like a contract, then checked against the example
 * contracts (inputs exist and are numeric, keys cover the feature sets' keys, the consumer is listed).
 */
class ModelConfigTest {
  static final ContractRegistry EXAMPLES = ContractRegistry.fromDirectory(Path.of("../contracts/examples"));
  static final String VALID = """
      apiVersion: tessera/v1
      kind: ModelService
      name: fraud-scorer
      version: 1.0.0
      consumer: fraud-scoring
      artifact: model.onnx
      entity: {keys: [customer_id]}
      inputs:
        - customer_activity:txn_count_1h
        - customer_activity@1:amount_sum_24h
        - {feature: customer_profile:credit_limit, missing: reject}
        - customer_profile:is_verified
      missing: {default: -1}
      batching: {maxBatchSize: 128, maxWait: 5ms}
      runtime: {provider: cpu}
      """;

  @TempDir Path dir;

  ModelConfigParser.Result parse(String text) throws Exception {
    Path file = dir.resolve("fraud-scorer.yaml");
    Files.writeString(file, text);
    return new ModelConfigParser().parse(file);
  }

  List<String> problems(String text) throws Exception {
    ModelConfigParser.Result r = parse(text);
    if (r.config() != null) {
      ModelConfigCheck.check(r.config(), EXAMPLES, r.problems());
    }
    return r.problems().list().stream().map(p -> p.line() + ":" + p.column() + " " + p.path() + ": " + p.message()).toList();
  }

  @Test
  void readsAValidConfigAndItPassesTheChecks() throws Exception {
    ModelConfigParser.Result r = parse(VALID);
    assertThat(r.problems().list()).isEmpty();
    ModelConfig c = r.config();
    assertThat(c.name()).isEqualTo("fraud-scorer");
    assertThat(c.artifact()).isEqualTo(dir.resolve("model.onnx").toAbsolutePath().normalize());
    assertThat(c.inputs()).extracting(i -> i.feature().toString()).containsExactly("customer_activity:txn_count_1h",
        "customer_activity@1:amount_sum_24h", "customer_profile:credit_limit", "customer_profile:is_verified");
    assertThat(c.inputs().get(2).policy(c.missing())).isEqualTo(ModelConfig.Missing.REJECT);
    assertThat(c.inputs().get(0).policy(c.missing())).isEqualTo(ModelConfig.Missing.value(-1));
    assertThat(c.batching()).isEqualTo(new ModelConfig.Batching(128, Duration.ofMillis(5)));
    assertThat(c.runtime().provider()).isEqualTo(ModelConfig.Provider.CPU);
    ModelConfigCheck.check(c, EXAMPLES, r.problems());
    assertThat(r.problems().list()).isEmpty();
  }

  @Test
  void everyShapeProblemHasItsPosition() throws Exception {
    assertThat(problems(VALID.replace("kind: ModelService", "kind: ModelServce").replace("maxWait: 5ms", "maxWait: soon")
        .replace("provider: cpu", "provider: tpu").replace("missing: {default: -1}", "missing: {default: none}")
        .replace("consumer: fraud-scoring", "consumer: fraud-scoring\nartefact: x.onnx")))
        .contains("2:7 kind: Invalid kind 'ModelServce': expected ModelService")
        .contains("15:40 batching.maxWait: Cannot parse duration 'soon': expected <number><unit>, unit one of ms,s,m,h,d")
        .contains("16:21 runtime.provider: Unknown provider 'tpu': expected cpu or cuda")
        .contains("14:20 missing.default: Invalid default 'none': expected a number (the value the model sees) or reject (answer 422 for that entity)")
        .anySatisfy(p -> assertThat(p).startsWith("6:1 artefact: Unknown key 'artefact'").contains("did you mean 'artifact'"));
    assertThat(problems(VALID.replace("  - customer_profile:is_verified", "  - customer_profile\n  - customer_profile:*")))
        .contains("12:5 inputs[3]: Invalid input 'customer_profile': expected <feature set>:<feature>, such as customer_activity:txn_count_1h")
        .contains("13:5 inputs[4]: Invalid input 'customer_profile:*': name one feature (<feature set>:<feature>); a model's columns are explicit");
  }

  @Test
  void checksAgainstTheContractsNameTheInputAndWhatIsExpected() throws Exception {
    assertThat(problems(VALID.replace("customer_activity:txn_count_1h", "customer_activity:txn_count_1d")))
        .anySatisfy(p -> assertThat(p).startsWith("9:5 inputs[0]: Unknown feature 'customer_activity:txn_count_1d'")
            .contains("did you mean 'txn_count_1h'"));
    assertThat(problems(VALID.replace("customer_activity@1:amount_sum_24h", "customer_activty:amount_sum_24h")))
        .anySatisfy(p -> assertThat(p).startsWith("10:5 inputs[1]: Unknown feature set 'customer_activty'").contains("did you mean 'customer_activity'"));
    assertThat(problems(VALID.replace("customer_profile:is_verified", "customer_profile:segment")))
        .contains("12:5 inputs[3]: Input 'customer_profile:segment' is string: a model input must be a number or a boolean (it becomes a float"
            + " in the input tensor); encode it as a numeric feature in the contract");
    assertThat(problems(VALID.replace("customer_profile:is_verified", "merchant_risk:txn_count_24h")))
        .anySatisfy(p -> assertThat(p).startsWith("7:16 entity.keys: Cannot read merchant_risk@2: it is keyed by [merchant_id], and the model's"
            + " entity keys [customer_id] do not give [merchant_id]"));
    assertThat(problems(VALID.replace("consumer: fraud-scoring", "consumer: churn-model")))
        .contains("5:11 consumer: Consumer 'churn-model' is not listed by customer_activity@1 (its consumers: [fraud-scoring,"
            + " marketing-propensity]); add it to the contract's consumers through a contract PR");
  }

  @Test
  void problemsFormatLikeContractProblems() throws Exception {
    ModelConfigParser.Result r = parse(VALID.replace("version: 1.0.0", "version: one"));
    assertThat(r.config()).isNull();
    assertThat(r.problems().list()).extracting(Problem::format)
        .containsExactly(dir.resolve("fraud-scorer.yaml") + ":4:10: version: Invalid version 'one': expected MAJOR.MINOR.PATCH such as 1.0.0");
  }

  @Test
  void readsACandidateAndThePromotionGates() throws Exception {
    ModelConfigParser.Result r = parse(VALID + """
        candidate: {artifact: model-1.1.onnx, version: 1.1.0, mode: canary, weight: 12.5%}
        promotion: {minRequests: 200, maxP99: 20ms, maxDisagreement: 0.1, output: output}
        """);
    assertThat(r.problems().list()).isEmpty();
    ModelConfig c = r.config();
    assertThat(c.candidate().mode()).isEqualTo(ModelConfig.Mode.CANARY);
    assertThat(c.candidate().weight()).isEqualTo(0.125);
    assertThat(c.candidate().artifact()).isEqualTo(dir.resolve("model-1.1.onnx").toAbsolutePath());
    assertThat(c.promotion()).isEqualTo(new ModelConfig.Promotion(200, Duration.ofMillis(20), "output", 0.1));
    assertThat(c.swapped().version().toString()).isEqualTo("1.1.0");
    assertThat(c.swapped().candidate().version().toString()).isEqualTo("1.0.0");
    assertThat(parse(VALID).config().promotion()).isEqualTo(ModelConfig.Promotion.DEFAULT);
  }

  @Test
  void aCandidateIsRefusedWithItsPosition() throws Exception {
    assertThat(problems(VALID + "candidate: {artifact: b.onnx, version: 1.0.0, mode: canary}\n")).containsExactly(
        "16:40 candidate.version: The candidate's version 1.0.0 is the primary's: give the candidate its own version",
        "16:53 candidate.mode: A canary needs weight: the share of requests it answers, e.g. weight: 10%");
    assertThat(problems(VALID + "candidate: {artifact: b.onnx, version: 2.0.0, mode: shadow, weight: 5%}\n")).containsExactly(
        "16:69 candidate.weight: A shadow candidate answers no request: weight is for mode canary");
    assertThat(problems(VALID + "candidate: {artifact: b.onnx, version: 2.0.0, mode: blue}\n")).singleElement().asString()
        .contains("candidate.mode: Unknown mode 'blue': expected shadow");
    assertThat(problems(VALID + "promotion: {minRequests: -3, maxDisagreement: -1}\n")).containsExactly(
        "16:26 promotion.minRequests: Invalid minRequests -3.0: expected a whole number, 0 or more",
        "16:47 promotion.maxDisagreement: Invalid maxDisagreement -1.0: expected a mean absolute difference, 0 or more");
  }
}
