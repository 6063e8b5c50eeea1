package dev.tessera.testkit;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** Copies of the shipped example contracts, edited as a pull request would edit them. */
public final class ExampleContracts {
  /** The examples, from a module directory of this repository. */
  public static final Path EXAMPLES = Path.of("../contracts/examples").toAbsolutePath().normalize();

  private ExampleContracts() {}

  /** Copies every example into {@code dir}, applies {@code edit} to {@code file}, and loads that contract. */
  public static FeatureSetContract edited(Path dir, String file, UnaryOperator<String> edit) {
    try {
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(EXAMPLES)) {
        for (Path f : files.toList()) {
          Files.copy(f, dir.resolve(f.getFileName()));
        }
      }
      Path target = dir.resolve(file);
      Files.writeString(target, edit.apply(Files.readString(target)));
      return ContractRegistry.loadFile(target);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code customer_activity} 1.1.0: {@code txn_count_10m} (count over 10 minutes) added before {@code amount_avg_7d}. */
  public static FeatureSetContract activityWithTenMinuteCount(Path dir) {
    return edited(dir, "customer_activity.yaml", text -> text.replace("version: 1.0.0", "version: 1.1.0").replace("  - name: amount_avg_7d\n", """
          - name: txn_count_10m
            type: long
            description: Transactions in the last 10 minutes.
            aggregate: {function: count, window: 10m}
          - name: amount_avg_7d
        """));
  }
}
