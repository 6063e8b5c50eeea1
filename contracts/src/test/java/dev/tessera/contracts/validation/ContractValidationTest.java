package dev.tessera.contracts.validation;

import static dev.tessera.contracts.ContractFixture.addSourceField;
import static dev.tessera.contracts.ContractFixture.replace;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.ContractFixture;
import dev.tessera.contracts.model.Problem;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.registry.LoadResult;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every validation rule, each as a negative case (an edit of the shipped example that must
 * produce the named problem at the named path and line) and, where the rule has a boundary, a
 * positive one.
 */
class ContractValidationTest {
  @TempDir Path dir;

  static Arguments bad(String rule, UnaryOperator<String> yaml, UnaryOperator<String> avsc, String path, int line, String message) {
    return Arguments.of(rule, yaml, avsc, path, line, message);
  }

  static Arguments bad(String rule, UnaryOperator<String> yaml, String path, int line, String message) {
    return bad(rule, yaml, UnaryOperator.identity(), path, line, message);
  }

  static Stream<Arguments> invalidContracts() {
    UnaryOperator<String> same = UnaryOperator.identity();
    return Stream.of(
        bad("yaml syntax", replace("ttl: 30d", "ttl: [30d"), "", 25, "Cannot parse YAML"),
        bad("duplicate yaml key", replace("ttl: 30d", "ttl: 30d\nttl: 7d"), "ttl", 25, "Duplicate key 'ttl'"),
        bad("unknown top-level key with hint", replace("windowHop: 1m", "windowhop: 1m"),
            "windowhop", 23, "Unknown key 'windowhop'; did you mean 'windowHop'?"),
        bad("unknown nested key", replace("{function: count, window: 1h}", "{function: count, windows: 1h}"),
            "features[0].aggregate.windows", 29, "did you mean 'window'?"),
        bad("missing required top-level key", replace("description: Rolling payment activity per customer, shared by fraud and marketing models.\n", ""),
            "description", 1, "Missing required key 'description'"),
        bad("missing required nested key", replace("  email: risk-data@example.com\n", ""),
            "owner.email", 7, "Missing required key 'email'"),
        bad("wrong apiVersion", replace("apiVersion: tessera/v1", "apiVersion: tessera/v2"),
            "apiVersion", 1, "Unsupported apiVersion 'tessera/v2': expected tessera/v1"),
        bad("wrong kind", replace("kind: FeatureSet", "kind: Table"), "kind", 2, "expected FeatureSet"),
        bad("bad semver", replace("version: 1.0.0", "version: 1.0"),
            "version", 4, "Cannot parse version '1.0': expected MAJOR.MINOR.PATCH"),
        bad("bad name", replace("name: customer_activity", "name: Customer-Activity"),
            "name", 3, "Cannot use name 'Customer-Activity': expected lower_snake_case"),
        bad("double underscore in name", replace("name: txn_count_1h", "name: txn__count"),
            "features[0].name", 26, "without '__'"),
        bad("bad duration", replace("{function: sum, field: amount, window: 24h}", "{function: sum, field: amount, window: 1 hour}"),
            "features[1].aggregate.window", 33,
            "Cannot parse duration '1 hour': expected <number><unit>, unit one of ms,s,m,h,d"),
        bad("duration without unit", replace("ttl: 30d", "ttl: 30"), "ttl", 24, "Cannot parse duration '30'"),
        bad("window not a multiple of hop", replace("{function: count, window: 1h}", "{function: count, window: 90s}"),
            "features[0].aggregate.window", 29, "Cannot use window 90s: expected a multiple of windowHop 1m"),
        bad("window vs coarser hop", replace("windowHop: 1m", "windowHop: 7m"),
            "features[0].aggregate.window", 29, "expected a multiple of windowHop 7m"),
        bad("zero hop", replace("windowHop: 1m", "windowHop: 0s"), "windowHop", 23, "Cannot use windowHop 0s"),
        bad("unknown function", replace("function: max,", "function: median,"),
            "features[3].aggregate.function", 41,
            "Unknown function 'median': expected one of count, sum, avg, min, max, first, last"),
        bad("unknown feature type", replace("type: double\n    description: Largest", "type: decimal\n    description: Largest"),
            "features[3].type", 39, "Unknown type 'decimal': expected one of int, long, float, double, boolean, string, timestamp"),
        bad("aggregate field missing from schema", replace("{function: avg, field: amount, window: 7d}", "{function: avg, field: amout, window: 7d}"),
            "features[2].aggregate.field", 37,
            "Cannot find field 'amout' in source schema 'transaction.avsc'; did you mean 'amount'?"),
        bad("missing field for sum", replace("{function: sum, field: amount, window: 24h}", "{function: sum, window: 24h}"),
            "features[1].aggregate.field", 33, "Missing required key 'field'"),
        bad("sum of a string", replace("{function: sum, field: amount, window: 24h}", "{function: sum, field: country, window: 24h}"),
            "features[1].aggregate.field", 33, "Cannot sum field 'country' of type string: expected int or long or float or double"),
        bad("max of a boolean", replace("{function: max, field: amount, window: 24h}", "{function: max, field: flagged, window: 24h}"),
            addSourceField("{\"name\": \"flagged\", \"type\": \"boolean\"}"),
            "features[3].aggregate.field", 41, "Cannot max field 'flagged' of type boolean"),
        bad("count typed string", replace("type: long\n    description: Number of transactions", "type: string\n    description: Number of transactions"),
            "features[0].type", 27, "Cannot type count of events as string: expected long"),
        bad("sum of double typed long", replace("type: double\n    description: Total amount", "type: long\n    description: Total amount"),
            "features[1].type", 31, "Cannot type sum of double field 'amount' as long: expected double"),
        bad("sum of long typed double", replace("{function: sum, field: amount, window: 24h}", "{function: sum, field: quantity, window: 24h}"),
            addSourceField("{\"name\": \"quantity\", \"type\": \"long\"}"),
            "features[1].type", 31, "Cannot type sum of long field 'quantity' as double: expected long"),
        bad("avg typed long", replace("type: double\n    description: Average", "type: long\n    description: Average"),
            "features[2].type", 35, "Cannot type avg of double field 'amount' as long: expected double"),
        bad("last typed differently", replace("type: string\n    description: Country", "type: long\n    description: Country"),
            "features[4].type", 43, "Cannot type last of string field 'country' as long: expected string"),
        bad("aggregate of an unsupported avro type", replace("{function: last, field: country}", "{function: last, field: raw}"),
            addSourceField("{\"name\": \"raw\", \"type\": \"bytes\"}"),
            "features[4].aggregate.field", 45, "Cannot aggregate field 'raw' of type bytes"),
        bad("duplicate feature names", replace("name: amount_max_24h", "name: amount_sum_24h"),
            "features[3].name", 38, "Duplicate feature name 'amount_sum_24h' (first defined at features[1])"),
        bad("feature named like a key", replace("name: last_country", "name: customer_id"),
            "features[4].name", 42, "collides with an entity key"),
        bad("entity key not mapped", replace("    customer_id: customer_id      # entity key <- source field\n", "    customer: customer_id\n"),
            "source.keys", 20, "Cannot find a mapping for entity key 'customer_id'"),
        bad("mapping for an unknown entity key", replace("    customer_id: customer_id      # entity key <- source field\n",
                "    customer_id: customer_id\n    merchant_id: merchant_id\n"),
            "source.keys.merchant_id", 21, "Unknown entity key 'merchant_id': expected one of customer_id"),
        bad("entity key mapped to a missing field", replace("customer_id: customer_id      #", "customer_id: cust_id      #"),
            "source.keys.customer_id", 20, "Cannot find field 'cust_id' in source schema"),
        bad("entity key mapped to an incompatible field", replace("      type: string\nsource:", "      type: long\nsource:"),
            "source.keys.customer_id", 20, "Cannot map entity key 'customer_id' (long) to source field 'customer_id' of type string: expected int or long"),
        bad("entity key of a non-key type", replace("      type: string\nsource:", "      type: double\nsource:"),
            "entity.keys[0].type", 13, "Cannot use type 'double' for an entity key: expected string, int or long"),
        bad("sunset on an active feature set", replace("version: 1.0.0", "version: 1.0.0\nsunset: 2027-06-30"),
            "sunset", 5, "Cannot set a sunset on an active feature set: set status: deprecated with it"),
        bad("bad sunset date", replace("version: 1.0.0", "version: 1.0.0\nstatus: deprecated\nsunset: next year"),
            "sunset", 6, "Cannot parse sunset 'next year': expected a date YYYY-MM-DD"),
        bad("bad replacement", replace("version: 1.0.0", "version: 1.0.0\nstatus: deprecated\nreplacement: customer_activity"),
            "replacement", 6, "Cannot use replacement 'customer_activity': expected <feature set>@<major>, e.g. customer_activity@2"),
        bad("pii field missing", replace("  allowedLateness: 10m", "  allowedLateness: 10m\n  pii: [customer_id, card]"),
            "source.pii[1]", 23, "Cannot find field 'card' in source schema"),
        bad("pii field twice", replace("  allowedLateness: 10m", "  allowedLateness: 10m\n  pii: [country, country]"),
            "source.pii[1]", 23, "Duplicate PII field 'country' in source.pii"),
        bad("event time field missing", replace("eventTime: event_time", "eventTime: ts"),
            "source.eventTime", 18, "Cannot find field 'ts' in source schema"),
        bad("event time not a timestamp", replace("eventTime: event_time", "eventTime: amount"),
            "source.eventTime", 18, "Cannot use field 'amount' as event time: its type is [\"null\",\"double\"], expected long with logicalType timestamp-millis"),
        bad("event time is a plain long", replace("eventTime: event_time", "eventTime: created"),
            addSourceField("{\"name\": \"created\", \"type\": \"long\"}"),
            "source.eventTime", 18, "its type is long, expected long with logicalType"),
        bad("unreadable avro schema", replace("schema: transaction.avsc", "schema: missing.avsc"),
            "source.schema", 17, "Cannot read Avro schema 'missing.avsc': file not found"),
        bad("invalid avro schema", same, text -> "{\"type\": \"record\", \"name\": \"T\", \"fields\": [{\"name\": \"a\"}]}",
            "source.schema", 17, "Cannot parse Avro schema 'transaction.avsc'"),
        bad("avro schema not a record", same, text -> "\"string\"",
            "source.schema", 17, "expected a record, got STRING"),
        bad("unknown source format", replace("format: avro", "format: protobuf"),
            "source.format", 16, "Unknown format 'protobuf': expected avro"),
        bad("unknown encoding", replace("format: avro", "format: avro\n  encoding: json"),
            "source.encoding", 17, "Unknown encoding 'json': expected one of binary, single-object, confluent"),
        bad("unknown quality rule", replace("rule: not_null}", "rule: notnull}"),
            "quality[0].rule", 47, "Unknown rule 'notnull': expected one of not_null, range, accepted_values, regex; did you mean 'not_null'?"),
        bad("range on a string", replace("{field: amount, rule: range,", "{field: country, rule: range,"),
            "quality[1].field", 48, "Cannot apply rule 'range' to field 'country' of type string: expected a numeric field"),
        bad("range min above max", replace("min: 0, max: 1000000", "min: 10, max: 1"),
            "quality[1].min", 48, "Cannot use range min 10 above max 1"),
        bad("bad regex", replace("{field: amount, rule: not_null}", "{field: country, rule: regex, pattern: \"[A-Z\"}"),
            "quality[0].pattern", 47, "Cannot compile regex '[A-Z'"),
        bad("quality field missing", replace("{field: amount, rule: not_null}", "{field: amt, rule: not_null}"),
            "quality[0].field", 47, "Cannot find field 'amt'"),
        bad("bad percentage", replace("availability: 99.9%", "availability: 99.9"),
            "sla.availability", 51, "Cannot parse percentage '99.9': expected <number>% in (0, 100]"),
        bad("duplicate consumers", replace("{name: marketing-propensity, team: growth-ml}", "{name: fraud-scoring, team: growth-ml}"),
            "consumers[1].name", 56, "Duplicate consumer 'fraud-scoring'"),
        bad("bad email", replace("email: risk-data@example.com", "email: risk-data"),
            "owner.email", 8, "Cannot use email 'risk-data'"),
        bad("deprecation of an unknown replacement",
            replace("aggregate: {function: last, field: country}", "aggregate: {function: last, field: country}\n    deprecated: {since: 1.0.0, replacement: country_last}"),
            "features[4].deprecated.replacement", 46, "Cannot use replacement 'country_last'"),
        bad("deprecation after the version",
            replace("aggregate: {function: last, field: country}", "aggregate: {function: last, field: country}\n    deprecated: {since: 2.0.0}"),
            "features[4].deprecated.since", 46, "Cannot deprecate since 2.0.0: it is after the contract version 1.0.0"),
        bad("features not a list", replace("features:\n  - name: txn_count_1h", "features: {}\nxfeatures:\n  - name: txn_count_1h"),
            "features", 25, "Cannot read 'features': expected a list, got a mapping"),
        bad("unknown status", replace("version: 1.0.0", "version: 1.0.0\nstatus: sunset"),
            "status", 5, "Unknown status 'sunset': expected one of active, deprecated, retired"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidContracts")
  void reportsProblemAtPath(String rule, UnaryOperator<String> yaml, UnaryOperator<String> avsc, String path, int line, String message) {
    LoadResult result = ContractFixture.loadActivity(dir, yaml, avsc);

    assertThat(result.ok()).as("contract must be invalid").isFalse();
    assertThat(result.contracts()).isEmpty();
    assertThat(result.problems())
        .as("problems: %s", result.problems())
        .anySatisfy(p -> {
          assertThat(p.path()).isEqualTo(path);
          assertThat(p.message()).contains(message);
          assertThat(p.line()).isEqualTo(line);
          assertThat(p.file()).endsWith("customer_activity.yaml");
        });
  }

  static Stream<Arguments> validVariants() {
    return Stream.of(
        Arguments.of("sum of long typed long", replace("{function: sum, field: amount, window: 24h}", "{function: sum, field: quantity, window: 24h}"),
            addSourceField("{\"name\": \"quantity\", \"type\": \"long\"}"), "type: double\n    description: Total amount", "type: long\n    description: Total amount"),
        Arguments.of("sum of int typed long", replace("{function: sum, field: amount, window: 24h}", "{function: sum, field: quantity, window: 24h}"),
            addSourceField("{\"name\": \"quantity\", \"type\": [\"null\", \"int\"]}"), "type: double\n    description: Total amount", "type: long\n    description: Total amount"),
        Arguments.of("max of int widened to long", replace("{function: max, field: amount, window: 24h}", "{function: max, field: quantity, window: 24h}"),
            addSourceField("{\"name\": \"quantity\", \"type\": \"int\"}"), "type: double\n    description: Largest", "type: long\n    description: Largest"),
        Arguments.of("max of a timestamp", replace("{function: max, field: amount, window: 24h}", "{function: max, field: event_time, window: 24h}"),
            UnaryOperator.<String>identity(), "type: double\n    description: Largest", "type: timestamp\n    description: Largest"),
        Arguments.of("count of a field", replace("{function: count, window: 1h}", "{function: count, field: country, window: 1h}"),
            UnaryOperator.<String>identity(), "ttl: 30d", "ttl: 30d"),
        Arguments.of("event time as timestamp-micros", replace("eventTime: event_time", "eventTime: event_time"),
            replace("\"logicalType\": \"timestamp-millis\"", "\"logicalType\": \"timestamp-micros\""), "ttl: 30d", "ttl: 30d"),
        Arguments.of("long key from an int field", replace("      type: string\nsource:", "      type: long\nsource:"),
            replace("{\"name\": \"customer_id\", \"type\": \"string\"}", "{\"name\": \"customer_id\", \"type\": \"int\"}"), "ttl: 30d", "ttl: 30d"),
        Arguments.of("window equal to hop", replace("{function: count, window: 1h}", "{function: count, window: 1m}"),
            UnaryOperator.<String>identity(), "ttl: 30d", "ttl: 30d"),
        Arguments.of("no ttl, no sla, no consumers", replace("ttl: 30d\n", ""),
            UnaryOperator.<String>identity(), "consumers:\n", "xconsumers_removed:\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validVariants")
  void acceptsBoundaryCases(String rule, UnaryOperator<String> yaml, UnaryOperator<String> avsc, String from, String to) {
    UnaryOperator<String> edit = text -> {
      String t = yaml.apply(text);
      if (to.startsWith("xconsumers_removed")) {
        return t.substring(0, t.indexOf("sla:"));
      }
      return t.replace(from, to);
    };
    LoadResult result = ContractFixture.loadActivity(dir, edit, avsc);

    assertThat(result.problems()).isEmpty();
    assertThat(result.contracts()).hasSize(1);
  }

  @Test
  void reportsAllProblemsOfAFileAtOnce() {
    LoadResult result = ContractFixture.loadActivity(dir, text -> text
        .replace("version: 1.0.0", "version: one")
        .replace("windowHop: 1m", "windowhop: 1m")
        .replace("{function: count, window: 1h}", "{function: count, window: 90s}")
        .replace("field: amount, window: 7d", "field: amout, window: 7d")
        .replace("function: max,", "function: maximum,"));

    assertThat(result.problems()).extracting(Problem::path).containsExactly(
        "version", "windowhop", "features[0].aggregate.window", "features[2].aggregate.field",
        "features[3].aggregate.function");
  }

  @Test
  void reportsEmptyFile() {
    LoadResult result = ContractFixture.loadActivity(dir, text -> "");
    assertThat(result.problems()).singleElement()
        .satisfies(p -> assertThat(p.format()).endsWith("customer_activity.yaml:1:1: Cannot read contract: the file is empty (or only comments)"));
  }

  @Test
  void namesAControlCharacterByCodePointAtItsPosition() {
    // a C1 control character in the middle of a value, as pasted from a chat
    LoadResult result = ContractFixture.loadActivity(dir, replace("Rolling payment", "Rolling\u0088 payment"));
    assertThat(result.problems()).singleElement().satisfies(p -> {
      assertThat(p.line()).isEqualTo(5);
      assertThat(p.column()).isEqualTo(21);
      assertThat(p.message()).isEqualTo("Cannot parse YAML: character U+0088 (a control character) is not allowed in YAML;"
          + " delete it (it is often pasted invisibly from a chat or a document)");
    });
  }

  @Test
  void reportsInvalidUtf8WithTheBytesAndTheirPosition() throws Exception {
    Path file = ContractFixture.copyExamples(dir.resolve("bytes")).resolve("customer_activity.yaml");
    byte[] text = java.nio.file.Files.readAllBytes(file);
    byte[] broken = new byte[text.length + 1];
    int at = new String(text, java.nio.charset.StandardCharsets.UTF_8).indexOf("name: customer_activity") + 6;
    System.arraycopy(text, 0, broken, 0, at);
    broken[at] = (byte) 0xFF;
    System.arraycopy(text, at, broken, at + 1, text.length - at);
    java.nio.file.Files.write(file, broken);
    assertThat(ContractRegistry.load(List.of(file)).problems()).singleElement().satisfies(p -> {
      assertThat(p.line()).isEqualTo(3);
      assertThat(p.column()).isEqualTo(7);
      assertThat(p.message()).startsWith("Cannot read contract: invalid UTF-8 (byte 0xFF at byte offset " + at + ")");
    });
  }

  @Test
  void positionsTheAliasThatGoesOverTheLimit() {
    StringBuilder bomb = new StringBuilder("\nx0: &b0 [a, a]\n");
    for (int i = 1; i <= 22; i++) {
      bomb.append("x").append(i).append(": &b").append(i).append(" [*b").append(i - 1).append("]\n");
    }
    LoadResult result = ContractFixture.loadActivity(dir, text -> text + bomb);
    assertThat(result.problems()).singleElement().satisfies(p -> {
      assertThat(p.line()).isGreaterThan(60);
      assertThat(p.column()).isGreaterThan(1);
      assertThat(p.message()).startsWith("Cannot parse YAML: more than 20 aliases of lists or maps");
    });
  }

  @Test
  void refusesABooleanWhereTextIsExpectedWithAHintToQuoteIt() {
    LoadResult result = ContractFixture.loadActivity(dir, replace("team: risk-data", "team: no"));
    assertThat(result.problems()).singleElement()
        .satisfies(p -> assertThat(p.message()).isEqualTo("Cannot read 'team': expected text, got a boolean (no); quote it to mean text: \"no\""));
  }

  @Test
  void refusesAnOptionalKeyLeftWithoutAValue() {
    LoadResult result = ContractFixture.loadActivity(dir, text -> text.substring(0, text.indexOf("quality:")) + "quality:\n");
    assertThat(result.problems()).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("quality");
      assertThat(p.message()).isEqualTo("Cannot read 'quality': it has no value; give one, or delete the key");
    });
  }

  @Test
  void reportsNonMappingDocument() {
    LoadResult result = ContractFixture.loadActivity(dir, text -> "- just\n- a list\n");
    assertThat(result.problems()).singleElement()
        .satisfies(p -> assertThat(p.message()).isEqualTo("Cannot read contract: expected a mapping at the top level, got a list"));
  }
}
