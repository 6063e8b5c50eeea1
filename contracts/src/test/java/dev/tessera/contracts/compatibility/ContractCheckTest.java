package dev.tessera.contracts.compatibility;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.ContractFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract PR check on base/head copies of the examples. */
class ContractCheckTest {
  @TempDir Path tmp;
  Path base;
  Path head;

  @BeforeEach
  void copyExamples() {
    base = ContractFixture.copyExamples(tmp.resolve("base"));
    head = ContractFixture.copyExamples(tmp.resolve("head"));
  }

  void edit(String file, String from, String to) throws IOException {
    Path p = head.resolve(file);
    String text = Files.readString(p);
    assertThat(text).contains(from);
    Files.writeString(p, text.replace(from, to));
  }

  CheckReport check() {
    return new ContractCheck().run(base, head);
  }

  @Test
  void unchangedContractsPass() {
    CheckReport report = check();

    assertThat(report.passed()).isTrue();
    assertThat(report.entries()).allSatisfy(e -> assertThat(e.kind()).isEqualTo(CheckReport.Kind.UNCHANGED));
    assertThat(report.markdown()).contains("✅ passed").contains("No contract changed.");
  }

  @Test
  void majorChangeWithMinorBumpFailsAndNamesConsumers() throws IOException {
    edit("customer_activity.yaml", "ttl: 30d", "ttl: 7d");
    edit("customer_activity.yaml", "version: 1.0.0", "version: 1.1.0");

    CheckReport report = check();

    assertThat(report.passed()).isFalse();
    CheckReport.Entry e = entry(report, "customer_activity");
    assertThat(e.required()).isEqualTo(Bump.MAJOR);
    assertThat(e.declared()).isEqualTo(Bump.MINOR);
    assertThat(e.failures()).singleElement().asString().contains("declared MINOR bump (1.0.0 → 1.1.0) but the changes require MAJOR");
    assertThat(report.markdown())
        .contains("❌ failed")
        .contains("| `customer_activity` | changed | 1.0.0 → 1.1.0 | MAJOR | MINOR | ❌ |")
        .contains("| MAJOR | `ttl` | ttl-shortened |")
        .contains("**Consumers to notify (MAJOR change):** fraud-scoring (fraud-ml), marketing-propensity (growth-ml)");
  }

  @Test
  void majorChangeWithMajorBumpPasses() throws IOException {
    edit("customer_activity.yaml", "ttl: 30d", "ttl: 7d");
    edit("customer_activity.yaml", "version: 1.0.0", "version: 2.0.0");

    CheckReport report = check();

    assertThat(report.passed()).isTrue();
    assertThat(entry(report, "customer_activity").consumersToNotify()).extracting(c -> c.name())
        .containsExactly("fraud-scoring", "marketing-propensity");
  }

  @Test
  void changeWithoutVersionBumpFails() throws IOException {
    edit("merchant_risk.yaml", "freshness: 2m", "freshness: 1m");

    CheckReport report = check();

    assertThat(report.passed()).isFalse();
    assertThat(entry(report, "merchant_risk").failures()).singleElement().asString()
        .contains("declared NONE bump").contains("require MINOR");
  }

  @Test
  void patchOnlyChangeWithPatchBumpPasses() throws IOException {
    edit("merchant_risk.yaml", "team: merchant-risk", "team: merchant-risk-platform");
    edit("merchant_risk.yaml", "version: 2.0.0", "version: 2.0.1");

    assertThat(check().passed()).isTrue();
  }

  @Test
  void versionGoingBackwardsFails() throws IOException {
    edit("merchant_risk.yaml", "version: 2.0.0", "version: 1.9.0");

    assertThat(entry(check(), "merchant_risk").failures()).singleElement().asString().contains("version went backwards");
  }

  @Test
  void newContractMustStartAtOneOrZero() throws IOException {
    String text = ContractFixture.example("customer_activity.yaml").replace("name: customer_activity", "name: customer_activity_eu");
    Files.writeString(head.resolve("eu.yaml"), text.replace("version: 1.0.0", "version: 1.2.0"));

    CheckReport report = check();

    assertThat(report.passed()).isFalse();
    assertThat(entry(report, "customer_activity_eu").kind()).isEqualTo(CheckReport.Kind.ADDED);
    assertThat(entry(report, "customer_activity_eu").failures()).singleElement().asString()
        .contains("a new contract must start at 1.0.0 (or 0.x while unstable), not 1.2.0");

    Files.writeString(head.resolve("eu.yaml"), text);
    assertThat(check().passed()).isTrue();
    Files.writeString(head.resolve("eu.yaml"), text.replace("version: 1.0.0", "version: 0.4.0"));
    assertThat(check().passed()).isTrue();
  }

  @Test
  void deletingAContractWithConsumersFailsUntilItsSunset() throws IOException {
    Files.delete(head.resolve("customer_profile.yaml"));

    CheckReport report = check();

    assertThat(report.passed()).isFalse();
    CheckReport.Entry e = entry(report, "customer_profile");
    assertThat(e.kind()).isEqualTo(CheckReport.Kind.DELETED);
    assertThat(e.failures()).singleElement().asString()
        .contains("deleted while consumers marketing-propensity (growth-ml), fraud-scoring (fraud-ml) depend on it and it has no sunset")
        .contains("status: deprecated").contains("sunset");

    // deprecated without a sunset is not enough any more
    Path deprecated = base.resolve("customer_profile.yaml");
    Files.writeString(deprecated, Files.readString(deprecated).replace("status: active", "status: deprecated"));
    assertThat(entry(check(), "customer_profile").failures()).singleElement().asString().contains("it has no sunset");

    // with a sunset: refused before it, passes on and after it
    Files.writeString(deprecated, Files.readString(deprecated).replace("status: deprecated", "status: deprecated\nsunset: 2027-03-01"));
    assertThat(entry(at("2027-02-28").run(base, head), "customer_profile").failures()).singleElement().asString()
        .contains("deleted before its sunset 2027-03-01 while consumers marketing-propensity (growth-ml), fraud-scoring (fraud-ml)");
    CheckReport after = at("2027-03-01").run(base, head);
    assertThat(after.passed()).isTrue();
    assertThat(after.markdown()).contains("**Consumers to notify (deleted):**");
  }

  @Test
  void retiringWithoutASunsetFails() throws IOException {
    edit("customer_profile.yaml", "status: active", "status: retired");
    edit("customer_profile.yaml", "version: 1.0.0", "version: 2.0.0");

    assertThat(entry(check(), "customer_profile").failures()).anySatisfy(f -> assertThat(f).contains("retired without a sunset")
        .contains("marketing-propensity (growth-ml)"));
  }

  @Test
  void aNewMajorBesideTheOldOneIsAnAdditionAndTheOldMajorIsUnchanged() throws IOException {
    Path v1 = head.resolve("customer_activity@1.yaml");
    Files.copy(head.resolve("customer_activity.yaml"), v1);
    edit("customer_activity.yaml", "version: 1.0.0", "version: 2.0.0");
    edit("customer_activity.yaml", "  - name: amount_avg_7d", "  - name: amount_avg_14d");

    CheckReport report = check();

    assertThat(report.passed()).as(report.markdown()).isTrue();
    assertThat(report.entries()).filteredOn(e -> e.name().equals("customer_activity")).extracting(CheckReport.Entry::kind)
        .containsExactlyInAnyOrder(CheckReport.Kind.UNCHANGED, CheckReport.Kind.ADDED);

    // a new major must start at N.0.0 above the newest
    edit("customer_activity.yaml", "version: 2.0.0", "version: 2.1.0");
    assertThat(check().entries()).anySatisfy(e -> assertThat(e.failures()).anySatisfy(f ->
        assertThat(f).contains("a new major of customer_activity must start at 2.0.0 (its newest major is 1), not 2.1.0")));

    // deleting the old major while it has consumers and no sunset is refused
    edit("customer_activity.yaml", "version: 2.1.0", "version: 2.0.0");
    Files.copy(head.resolve("customer_activity.yaml"), base.resolve("customer_activity.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(v1, base.resolve("customer_activity@1.yaml"));
    Files.delete(v1);
    CheckReport deleted = check();
    assertThat(deleted.passed()).isFalse();
    assertThat(deleted.entries()).anySatisfy(e -> {
      assertThat(e.kind()).isEqualTo(CheckReport.Kind.DELETED);
      assertThat(e.baseVersion()).isEqualTo("1.0.0");
      assertThat(e.failures()).singleElement().asString().contains("it has no sunset");
    });
  }

  static ContractCheck at(String day) {
    return new ContractCheck(java.time.Clock.fixed(java.time.LocalDate.parse(day).atStartOfDay(java.time.ZoneOffset.UTC).toInstant(),
        java.time.ZoneOffset.UTC));
  }

  @Test
  void invalidHeadContractFailsWithPositions() throws IOException {
    edit("customer_activity.yaml", "window: 24h}\n  - name: amount_avg_7d", "window: 1 hour}\n  - name: amount_avg_7d");

    CheckReport report = check();

    assertThat(report.passed()).isFalse();
    assertThat(report.headProblems()).singleElement().satisfies(p -> assertThat(p.format())
        .endsWith("customer_activity.yaml:33:55: features[1].aggregate.window: Cannot parse duration '1 hour': expected <number><unit>, unit one of ms,s,m,h,d"));
    // a broken file is not mistaken for a deleted contract
    assertThat(report.entries()).noneMatch(e -> e.kind() == CheckReport.Kind.DELETED);
    assertThat(report.markdown()).contains("### Invalid contracts in head (must be fixed)");
  }

  @Test
  void jsonAndTextReports() throws Exception {
    edit("customer_activity.yaml", "ttl: 30d", "ttl: 7d");

    CheckReport report = check();
    var json = DiffRenderer.JSON.readTree(report.json());

    assertThat(json.get("passed").asBoolean()).isFalse();
    assertThat(json.get("contracts")).anySatisfy(c -> {
      assertThat(c.get("name").asText()).isEqualTo("customer_activity");
      assertThat(c.get("requiredBump").asText()).isEqualTo("MAJOR");
      assertThat(c.get("declaredBump").asText()).isEqualTo("NONE");
      assertThat(c.get("consumersToNotify")).hasSize(2);
    });
    assertThat(report.text()).contains("FAIL  customer_activity changed 1.0.0 → 1.0.0").endsWith("contract check FAILED\n");
  }

  private static CheckReport.Entry entry(CheckReport report, String name) {
    return report.entries().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
  }
}
