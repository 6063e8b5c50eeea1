package dev.tessera.contracts.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.contracts.ContractFixture;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An older major beside the newest: {@code customer_activity@1.yaml} next to {@code customer_activity.yaml} at 2.0.0. */
class ContractRegistryMajorsTest {
  @TempDir Path tmp;
  Path dir;

  @BeforeEach
  void twoMajors() throws IOException {
    dir = ContractFixture.copyExamples(tmp.resolve("contracts"));
    Files.copy(dir.resolve("customer_activity.yaml"), dir.resolve("customer_activity@1.yaml"));
    replace("customer_activity.yaml", "version: 1.0.0", "version: 2.0.0");
  }

  void replace(String file, String from, String to) throws IOException {
    Path p = dir.resolve(file);
    assertThat(Files.readString(p)).contains(from);
    Files.writeString(p, Files.readString(p).replace(from, to));
  }

  List<String> problems() {
    return ContractRegistry.load(List.of(dir)).problems().stream().map(p -> p.file() + " " + p.path() + ": " + p.message()).toList();
  }

  @Test
  void bothMajorsLoadAndUnpinnedMeansTheNewest() {
    ContractRegistry r = ContractRegistry.fromDirectory(dir);

    assertThat(r.get("customer_activity").version()).hasToString("2.0.0");
    assertThat(r.all()).filteredOn(c -> c.name().equals("customer_activity")).hasSize(1);
    assertThat(r.majors("customer_activity")).extracting(c -> c.version().toString()).containsExactly("1.0.0", "2.0.0");
    assertThat(r.find("customer_activity", 1)).map(FeatureSetContract::tableName).hasValue("customer_activity__v1");
    assertThat(r.find("customer_activity", 3)).isEmpty();
    assertThat(r.allMajors()).hasSize(r.all().size() + 1);
  }

  @Test
  void referencesResolveToAPinnedMajorOrTheNewestActiveOne() throws IOException {
    ContractRegistry r = ContractRegistry.fromDirectory(dir);
    assertThat(r.resolve("customer_activity@1")).map(c -> c.version().toString()).hasValue("1.0.0");
    assertThat(r.resolve("customer_activity@2")).map(c -> c.version().toString()).hasValue("2.0.0");
    assertThat(r.resolve("customer_activity")).map(c -> c.version().toString()).hasValue("2.0.0");
    assertThat(r.resolve("customer_activity@3")).isEmpty();
    assertThat(r.resolve("customer_activity@x")).isEmpty();
    assertThat(r.references()).contains("customer_activity", "customer_activity@1", "customer_activity@2");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> r.get("customer_activity@3")))
        .hasMessageContaining("Cannot find feature set 'customer_activity@3'").hasMessageContaining("customer_activity@1, customer_activity@2");

    // the newest major deprecated (a rollback to 1.x): unpinned names the newest active one
    replace("customer_activity.yaml", "version: 2.0.0", "version: 2.0.0\nstatus: deprecated\nsunset: 2030-01-01\nreplacement: customer_activity@1");
    ContractRegistry rolledBack = ContractRegistry.fromDirectory(dir);
    assertThat(rolledBack.resolve("customer_activity")).map(c -> c.version().toString()).hasValue("1.0.0");
  }

  @Test
  void aRetiredMajorIsNotLiveButStillResolves() throws IOException {
    replace("customer_activity@1.yaml", "version: 1.0.0", "version: 1.0.0\nstatus: retired\nsunset: 2026-01-01\nreplacement: customer_activity@2");
    ContractRegistry r = ContractRegistry.fromDirectory(dir);
    assertThat(r.allMajors()).extracting(FeatureSetContract::majorId).doesNotContain("customer_activity@1").contains("customer_activity@2");
    assertThat(r.retired()).extracting(FeatureSetContract::majorId).containsExactly("customer_activity@1");
    assertThat(r.resolve("customer_activity@1")).isPresent();
    assertThat(r.loaded("customer_activity", 1)).map(l -> l.file().getFileName().toString()).hasValue("customer_activity@1.yaml");
  }

  @Test
  void aPinnedFileHoldsItsMajor() throws IOException {
    replace("customer_activity@1.yaml", "version: 1.0.0", "version: 2.1.0");

    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("customer_activity@1.yaml version: File 'customer_activity@1.yaml' holds major 1 "
        + "of customer_activity: expected version 1.x.y, got 2.1.0"));
  }

  @Test
  void theUnpinnedFileHoldsTheNewestMajor() throws IOException {
    Files.move(dir.resolve("customer_activity@1.yaml"), dir.resolve("customer_activity@3.yaml"));
    replace("customer_activity@3.yaml", "version: 1.0.0", "version: 3.0.0");

    assertThat(problems()).anySatisfy(p -> assertThat(p).contains("'customer_activity@3.yaml' holds major 3 but")
        .contains("holds 2.0.0: the file without @<major> holds the newest major"));
  }

  @Test
  void aPinnedFileIsNamedAfterItsFeatureSetAndHoldsOneMajor() throws IOException {
    Files.copy(dir.resolve("customer_activity@1.yaml"), dir.resolve("merchant_risk@1.yaml"));
    Files.createDirectories(dir.resolve("old"));
    Files.copy(dir.resolve("customer_activity@1.yaml"), dir.resolve("old/customer_activity@1.yaml"));

    List<String> problems = problems();
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("File 'merchant_risk@1.yaml' holds an older major of 'merchant_risk', not of 'customer_activity'"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("Major 1 of 'customer_activity' is also in").contains("one file per major"));
  }

  @Test
  void twoUnpinnedFilesOfOneNameAreStillDuplicates() throws IOException {
    Files.copy(dir.resolve("customer_activity.yaml"), dir.resolve("copy.yaml"));

    assertThat(ContractRegistry.load(List.of(dir)).problems()).extracting(Problem::message)
        .anySatisfy(m -> assertThat(m).contains("Duplicate feature set name 'customer_activity'")
            .contains("an older major goes in customer_activity@<major>.yaml"));
  }
}
