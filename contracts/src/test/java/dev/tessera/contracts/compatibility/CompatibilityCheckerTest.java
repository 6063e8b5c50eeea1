package dev.tessera.contracts.compatibility;

import static dev.tessera.contracts.ContractFixture.addSourceField;
import static dev.tessera.contracts.ContractFixture.replace;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.ContractFixture;
import dev.tessera.contracts.model.FeatureSetContract;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every diff rule: an edit of the example contract, the change code it must produce, its bump. */
class CompatibilityCheckerTest {
  @TempDir Path dir;

  static Arguments rule(String name, UnaryOperator<String> yaml, UnaryOperator<String> avsc, String path, String code, Bump bump) {
    return Arguments.of(name, yaml, avsc, path, code, bump);
  }

  static Arguments rule(String name, UnaryOperator<String> yaml, String path, String code, Bump bump) {
    return rule(name, yaml, UnaryOperator.identity(), path, code, bump);
  }

  static UnaryOperator<String> removeFeature(String name, String nextName) {
    return text -> {
      int start = text.indexOf("  - name: " + name);
      int end = nextName == null ? text.indexOf("quality:") : text.indexOf("  - name: " + nextName);
      return text.substring(0, start) + text.substring(end);
    };
  }

  static Stream<Arguments> rules() {
    UnaryOperator<String> same = UnaryOperator.identity();
    return Stream.of(
        // MAJOR
        rule("feature removed", removeFeature("amount_avg_7d", "amount_max_24h"), "features.amount_avg_7d", "feature-removed", Bump.MAJOR),
        rule("feature with consumers removed without deprecation", removeFeature("amount_avg_7d", "amount_max_24h"),
            "features.amount_avg_7d", "removed-without-deprecation", Bump.MAJOR),
        rule("feature renamed", replace("name: amount_avg_7d", "name: avg_amount_7d"), "features.amount_avg_7d", "feature-renamed", Bump.MAJOR),
        rule("feature type changed", replace("{function: max, field: amount, window: 24h}", "{function: max, field: quantity, window: 24h}")
                .andThen(replace("type: double\n    description: Largest", "type: long\n    description: Largest"))::apply,
            addSourceField("{\"name\": \"quantity\", \"type\": \"int\"}"), "features.amount_max_24h.type", "feature-type-changed", Bump.MAJOR),
        rule("aggregate function changed", replace("function: max,", "function: min,"),
            "features.amount_max_24h.aggregate.function", "aggregate-changed", Bump.MAJOR),
        rule("aggregate field changed", replace("{function: last, field: country}", "{function: last, field: merchant_id}"),
            "features.last_country.aggregate.field", "aggregate-changed", Bump.MAJOR),
        rule("aggregate window changed", replace("{function: max, field: amount, window: 24h}", "{function: max, field: amount, window: 12h}"),
            "features.amount_max_24h.aggregate.window", "aggregate-changed", Bump.MAJOR),
        rule("aggregate window removed", replace("{function: max, field: amount, window: 24h}", "{function: max, field: amount}"),
            "features.amount_max_24h.aggregate.window", "aggregate-changed", Bump.MAJOR),
        rule("entity keys changed", replace("      type: string\nsource:", "      type: string\n    - name: merchant_id\n      type: string\nsource:")
                .andThen(replace("    customer_id: customer_id      #", "    merchant_id: merchant_id\n    customer_id: customer_id      #"))::apply,
            "entity.keys", "entity-keys-changed", Bump.MAJOR),
        rule("entity renamed", replace("  name: customer\n", "  name: client\n"), "entity.name", "entity-changed", Bump.MAJOR),
        rule("source topic changed", replace("topic: payments.transactions", "topic: payments.v2"), "source.topic", "source-topic-changed", Bump.MAJOR),
        rule("source encoding changed", replace("format: avro", "format: avro\n  encoding: confluent"), "source.encoding", "source-encoding-changed", Bump.MAJOR),
        rule("event time changed", replace("eventTime: event_time", "eventTime: settled_at"),
            addSourceField("{\"name\": \"settled_at\", \"type\": {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}, \"default\": 0}"),
            "source.eventTime", "event-time-changed", Bump.MAJOR),
        rule("key mapping changed", replace("customer_id: customer_id      #", "customer_id: transaction_id      #"),
            "source.keys", "source-keys-changed", Bump.MAJOR),
        rule("source schema incompatible (new field without default)", same, addSourceField("{\"name\": \"channel\", \"type\": \"string\"}"),
            "source.schema", "source-schema-incompatible", Bump.MAJOR),
        rule("source schema incompatible (type narrowed)", same,
            replace("{\"name\": \"amount\", \"type\": [\"null\", \"double\"], \"default\": null}", "{\"name\": \"amount\", \"type\": [\"null\", \"float\"], \"default\": null}")
                .andThen(replace("\"name\": \"country\", \"type\": \"string\"", "\"name\": \"country\", \"type\": \"string\""))::apply,
            "source.schema", "source-schema-incompatible", Bump.MAJOR),
        rule("windowHop changed", replace("windowHop: 1m", "windowHop: 2m"), "windowHop", "window-hop-changed", Bump.MAJOR),
        rule("ttl shortened", replace("ttl: 30d", "ttl: 7d"), "ttl", "ttl-shortened", Bump.MAJOR),
        rule("freshness SLA weakened", replace("freshness: 60s", "freshness: 5m"), "sla.freshness", "sla-weakened", Bump.MAJOR),
        rule("latency SLA weakened", replace("latencyP99: 10ms", "latencyP99: 25ms"), "sla.latencyP99", "sla-weakened", Bump.MAJOR),
        rule("availability SLA weakened", replace("availability: 99.9%", "availability: 99%"), "sla.availability", "sla-weakened", Bump.MAJOR),
        rule("completeness SLA weakened", replace("completeness: 99.5%", "completeness: 98%"), "sla.completeness", "sla-weakened", Bump.MAJOR),
        rule("SLA target dropped", replace("  completeness: 99.5%\n", ""), "sla.completeness", "sla-weakened", Bump.MAJOR),
        rule("status retired", replace("version: 1.0.0", "version: 1.0.0\nstatus: retired"), "status", "status-changed", Bump.MAJOR),
        // MINOR
        rule("feature added", replace("quality:", "  - name: amount_min_24h\n    type: double\n    description: Smallest.\n    aggregate: {function: min, field: amount, window: 24h}\nquality:"),
            "features.amount_min_24h", "feature-added", Bump.MINOR),
        rule("ttl lengthened", replace("ttl: 30d", "ttl: 60d"), "ttl", "ttl-lengthened", Bump.MINOR),
        rule("ttl removed", replace("ttl: 30d\n", ""), "ttl", "ttl-lengthened", Bump.MINOR),
        rule("freshness SLA tightened", replace("freshness: 60s", "freshness: 30s"), "sla.freshness", "sla-tightened", Bump.MINOR),
        rule("availability SLA tightened", replace("availability: 99.9%", "availability: 99.99%"), "sla.availability", "sla-tightened", Bump.MINOR),
        rule("consumer added", replace("  - {name: marketing-propensity, team: growth-ml}", "  - {name: marketing-propensity, team: growth-ml}\n  - {name: churn, team: growth-ml}"),
            "consumers.churn", "consumer-added", Bump.MINOR),
        rule("consumer removed", replace("  - {name: marketing-propensity, team: growth-ml}\n", ""), "consumers.marketing-propensity", "consumer-removed", Bump.MINOR),
        rule("quality rule added", replace("quality:", "quality:\n  - {field: country, rule: regex, pattern: \"[A-Z]{2}\"}"),
            "quality.country:regex", "quality-rule-added", Bump.MINOR),
        rule("quality rule changed", replace("min: 0, max: 1000000", "min: 0, max: 5000"), "quality.amount:range", "quality-rule-changed", Bump.MINOR),
        rule("quality rule removed", replace("  - {field: amount, rule: not_null}\n", ""), "quality.amount:not_null", "quality-rule-removed", Bump.MINOR),
        rule("feature deprecated", replace("aggregate: {function: last, field: country}", "aggregate: {function: last, field: country}\n    deprecated: {since: 1.0.0}"),
            "features.last_country.deprecated", "feature-deprecated", Bump.MINOR),
        rule("source schema backward compatible", same, addSourceField("{\"name\": \"channel\", \"type\": \"string\", \"default\": \"web\"}"),
            "source.schema", "source-schema-compatible", Bump.MINOR),
        rule("sunset set", replace("version: 1.0.0", "version: 1.0.0\nstatus: deprecated\nsunset: 2027-06-30"), "sunset", "sunset-changed", Bump.MINOR),
        rule("pii fields marked", replace("allowedLateness: 10m", "allowedLateness: 10m\n  pii: [customer_id]"), "source.pii", "pii-changed", Bump.MINOR),
        rule("allowed lateness changed", replace("allowedLateness: 10m", "allowedLateness: 5m"), "source.allowedLateness", "allowed-lateness-changed", Bump.MINOR),
        rule("status deprecated", replace("version: 1.0.0", "version: 1.0.0\nstatus: deprecated"), "status", "status-changed", Bump.MINOR),
        // PATCH
        rule("description changed", replace("Rolling payment activity per customer", "Payment activity per customer"), "description", "description-changed", Bump.PATCH),
        rule("feature description changed", replace("Number of transactions in the last hour.", "Transactions in the past 60 minutes."),
            "features.txn_count_1h.description", "description-changed", Bump.PATCH),
        rule("owner changed", replace("team: risk-data", "team: risk-platform"), "owner", "owner-changed", Bump.PATCH),
        rule("tags added", replace("windowHop: 1m", "tags: {domain: payments}\nwindowHop: 1m"), "tags", "tags-changed", Bump.PATCH));
  }

  @ParameterizedTest(name = "{0} is {5}")
  @MethodSource("rules")
  void classifiesChange(String name, UnaryOperator<String> yaml, UnaryOperator<String> avsc, String path, String code, Bump bump) {
    FeatureSetContract oldC = ContractFixture.activity(dir.resolve("old"), UnaryOperator.identity());
    FeatureSetContract newC = ContractFixture.activity(dir.resolve("new"), yaml, avsc);

    ContractDiff diff = new CompatibilityChecker().diff(oldC, newC);

    assertThat(diff.changes())
        .as("changes: %s", diff.changes())
        .anySatisfy(c -> {
          assertThat(c.path()).isEqualTo(path);
          assertThat(c.change()).isEqualTo(code);
          assertThat(c.bump()).isEqualTo(bump);
        });
    assertThat(diff.requiredBump()).isEqualTo(bump);
  }

  @Test
  void equalContractsNeedNoBump() {
    FeatureSetContract a = ContractFixture.activity(dir.resolve("a"), UnaryOperator.identity());
    FeatureSetContract b = ContractFixture.activity(dir.resolve("b"), replace("    customer_id: customer_id      # entity key <- source field", "    customer_id: customer_id"));

    ContractDiff diff = new CompatibilityChecker().diff(a, b);

    assertThat(diff.changes()).isEmpty();
    assertThat(diff.requiredBump()).isEqualTo(Bump.NONE);
    assertThat(diff.versionSufficient()).isTrue();
  }

  @Test
  void removingAFeatureDeprecatedInAnEarlierVersionIsMinor() {
    FeatureSetContract oldC = ContractFixture.activity(dir.resolve("old"),
        replace("aggregate: {function: last, field: country}", "aggregate: {function: last, field: country}\n    deprecated: {since: 1.0.0}"));
    FeatureSetContract newC = ContractFixture.activity(dir.resolve("new"), removeFeature("last_country", null).andThen(replace("version: 1.0.0", "version: 1.1.0"))::apply);

    ContractDiff diff = new CompatibilityChecker().diff(oldC, newC);

    assertThat(diff.changes()).extracting(Change::change).containsExactly("deprecated-feature-removed");
    assertThat(diff.changes().get(0).reason()).isEqualTo("deprecated feature 'last_country' removed (deprecated since 1.0.0)");
    assertThat(diff.requiredBump()).isEqualTo(Bump.MINOR);
    assertThat(diff.versionSufficient()).isTrue();
  }

  @Test
  void removingAFeatureOfAContractWithoutConsumersNeedsNoDeprecation() {
    UnaryOperator<String> noConsumers = text -> text.substring(0, text.indexOf("consumers:"));
    FeatureSetContract oldC = ContractFixture.activity(dir.resolve("old"), noConsumers);
    FeatureSetContract newC = ContractFixture.activity(dir.resolve("new"), noConsumers.andThen(removeFeature("last_country", null))::apply);

    assertThat(new CompatibilityChecker().diff(oldC, newC).changes())
        .extracting(Change::change).containsExactly("feature-removed");
  }

  @Test
  void incompatibleSchemaChangeNamesTheField() {
    FeatureSetContract oldC = ContractFixture.activity(dir.resolve("old"), UnaryOperator.identity());
    FeatureSetContract newC = ContractFixture.activity(dir.resolve("new"), UnaryOperator.identity(),
        addSourceField("{\"name\": \"channel\", \"type\": \"string\"}"));

    Change change = new CompatibilityChecker().diff(oldC, newC).changes().get(0);

    assertThat(change.reason()).contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("channel");
  }

  @Test
  void jsonReportCarriesRequiredBumpAndChanges() throws Exception {
    FeatureSetContract oldC = ContractFixture.activity(dir.resolve("old"), UnaryOperator.identity());
    FeatureSetContract newC = ContractFixture.activity(dir.resolve("new"),
        replace("ttl: 30d", "ttl: 7d").andThen(replace("version: 1.0.0", "version: 1.1.0"))::apply);

    var json = DiffRenderer.JSON.readTree(DiffRenderer.render(new CompatibilityChecker().diff(oldC, newC), ReportFormat.JSON));

    assertThat(json.get("requiredBump").asText()).isEqualTo("MAJOR");
    assertThat(json.get("declaredBump").asText()).isEqualTo("MINOR");
    assertThat(json.get("versionSufficient").asBoolean()).isFalse();
    assertThat(json.get("changes")).hasSize(1);
    var change = json.get("changes").get(0);
    assertThat(change.get("path").asText()).isEqualTo("ttl");
    assertThat(change.get("change").asText()).isEqualTo("ttl-shortened");
    assertThat(change.get("bump").asText()).isEqualTo("MAJOR");
    assertThat(change.get("reason").asText()).contains("30d").contains("7d");
  }

  @Test
  void markdownAndTextReportsListEveryChange() {
    FeatureSetContract oldC = ContractFixture.activity(dir.resolve("old"), UnaryOperator.identity());
    FeatureSetContract newC = ContractFixture.activity(dir.resolve("new"),
        replace("ttl: 30d", "ttl: 60d").andThen(replace("team: risk-data", "team: risk-platform"))::apply);
    ContractDiff diff = new CompatibilityChecker().diff(oldC, newC);

    assertThat(DiffRenderer.render(diff, ReportFormat.MARKDOWN))
        .contains("| MINOR | `ttl` | ttl-lengthened |")
        .contains("| PATCH | `owner` | owner-changed |")
        .contains("Required bump: **MINOR**, declared: **NONE**");
    assertThat(DiffRenderer.render(diff, ReportFormat.TEXT))
        .contains("MINOR  ttl: ttl changed from 30d to 60d")
        .contains("required bump: MINOR, declared: NONE (NOT ENOUGH)");
  }
}
