package dev.tessera.cli;

import dev.tessera.config.ConfigOption;
import dev.tessera.config.CoreOptions;
import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.registry.ContractRegistry;
import dev.tessera.config.OfflineOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/** What commands share: the home, the validated configuration, the contracts. */
public final class CliContext {
  private final TesseraConfig config;

  private CliContext(TesseraConfig config) {
    this.config = config;
  }

  public static CliContext of(CommandSpec spec) {
    return of(spec, Map.of());
  }

  /** The context with some keys overridden by command options. */
  public static CliContext of(CommandSpec spec, Map<String, String> overrides) {
    TesseraCommand root = (TesseraCommand) spec.root().userObject();
    return of(root.home(), root.configFile(), overrides);
  }

  public static CliContext of(Path home, Path configFile, Map<String, String> overrides) {
    return new CliContext(TesseraConfig.resolve(home, configFile, overrides));
  }

  public TesseraConfig config() {
    return config;
  }

  /** The API key to call the online service with: {@code option}, else TESSERA_API_KEY, else the key of `tessera up` in the home. */
  public static String apiKey(CommandSpec spec, String option) throws java.io.IOException {
    if (option != null) {
      return option;
    }
    String key = System.getenv("TESSERA_API_KEY");
    Path upKey = ((TesseraCommand) spec.root().userObject()).home().resolve("up/api-key");
    return key == null && java.nio.file.Files.isRegularFile(upKey) ? java.nio.file.Files.readString(upKey).trim() : key;
  }

  /** The contracts of {@code dir}, or of {@code tessera.contracts.dir} when null. */
  public ContractRegistry contracts(Path dir) {
    return ContractRegistry.fromDirectory(dir != null ? dir : Path.of(config.get(CoreOptions.CONTRACTS_DIR)));
  }
}
