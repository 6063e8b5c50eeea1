package dev.tessera.contracts;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.contracts.registry.LoadResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** Copies of the shipped examples, edited textually, written to a temp directory and loaded. */
public final class ContractFixture {
  public static final Path EXAMPLES = Path.of("examples");

  private ContractFixture() {}

  public static String example(String file) {
    try {
      return Files.readString(EXAMPLES.resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Replaces {@code from} with {@code to}, failing loudly if the example no longer contains it. */
  public static UnaryOperator<String> replace(String from, String to) {
    return text -> {
      if (!text.contains(from)) {
        throw new IllegalArgumentException("fixture text not found: " + from);
      }
      return text.replace(from, to);
    };
  }

  /** Copies all examples into {@code dir} (a fresh folder) and returns it. */
  public static Path copyExamples(Path dir) {
    try {
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(EXAMPLES)) {
        for (Path f : files.toList()) {
          Files.copy(f, dir.resolve(f.getFileName()));
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code text} as {@code dir/file}. */
  public static Path write(Path dir, String file, String text) {
    try {
      Files.createDirectories(dir);
      return Files.writeString(dir.resolve(file), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes customer_activity (edited) with its schema (edited) and loads it. */
  public static LoadResult loadActivity(Path dir, UnaryOperator<String> yamlEdit, UnaryOperator<String> avscEdit) {
    write(dir, "transaction.avsc", avscEdit.apply(example("transaction.avsc")));
    Path file = write(dir, "customer_activity.yaml", yamlEdit.apply(example("customer_activity.yaml")));
    return ContractRegistry.load(List.of(file));
  }

  public static LoadResult loadActivity(Path dir, UnaryOperator<String> yamlEdit) {
    return loadActivity(dir, yamlEdit, UnaryOperator.identity());
  }

  public static FeatureSetContract activity(Path dir, UnaryOperator<String> yamlEdit, UnaryOperator<String> avscEdit) {
    LoadResult result = loadActivity(dir, yamlEdit, avscEdit);
    if (!result.ok()) {
      throw new AssertionError("fixture contract is invalid: " + result.problems());
    }
    return result.contracts().get(0).contract();
  }

  public static FeatureSetContract activity(Path dir, UnaryOperator<String> yamlEdit) {
    return activity(dir, yamlEdit, UnaryOperator.identity());
  }

  /** Adds a field to transaction.avsc, before event_time. */
  public static UnaryOperator<String> addSourceField(String json) {
    return replace("    {\"name\": \"event_time\"", "    " + json + ",\n    {\"name\": \"event_time\"");
  }
}
