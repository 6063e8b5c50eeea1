package dev.tessera.config;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.parser.Problems;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tessera's one configuration: a properties file of {@code tessera.*} keys, with {@code ${home}}
 * (the Tessera home), {@code ${env:NAME}} and {@code ${file:/path}} (a secret's file) expanded. Every choice between the embedded local
 * stack and production (catalog, warehouse, brokers, stores) is a key here, documented in {@code
 * docs/configuration.md}.
 *
 * <p>Every entry point (the CLI, {@code tessera up}, the online service, the SDK) gets it the same
 * way, {@link #resolve}:
 *
 * <p>{@code
 * TesseraConfig config = TesseraConfig.resolve(null, null, Map.of());
 * String uri = config.get(OfflineOptions.CATALOG_URI);
 * }
 */
public final class TesseraConfig {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(home|env:([A-Za-z_][A-Za-z0-9_]*)|file:([^}]+))}");

  /**
   * Keys under this prefix that no option declares are Kafka client properties, passed to every
   * Kafka client ({@code tessera.kafka.<property>}) or to one role ({@code
   * tessera.kafka.consumer|producer|admin.<property>}); {@code dev.tessera.kafka.KafkaClients}
   * checks their names against Kafka's.
   */
  public static final String KAFKA_CLIENT_PREFIX = "tessera.kafka.";

  private final Path home;
  private final Map<String, String> values;
  private final String origin;

  private TesseraConfig(Path home, Map<String, String> values, String origin) {
    this.home = home.toAbsolutePath().normalize();
    this.values = Map.copyOf(values);
    this.origin = origin;
  }

  /** Where the Tessera home is when none is given: {@code -Dtessera.home}, {@code TESSERA_HOME}, else {@code .tessera}. */
  public static Path defaultHome() {
    String home = firstSet(System.getProperty("tessera.home"), System.getenv("TESSERA_HOME"));
    return Path.of(home == null ? ".tessera" : home);
  }

  /**
   * The configuration, found the one way every entry point finds it:
   *
   * <ol>
   *   <li>the home: {@code home}, else {@link #defaultHome()};
   *   <li>the file: {@code file}, else {@code -Dtessera.config}, else {@code TESSERA_CONFIG}, else
   *       {@code <home>/tessera.properties} when it exists, else none (defaults); a file named
   *       but missing is an error;
   *   <li>on top of the file, environment variables of known keys ({@code
   *       TESSERA_ONLINE_MAX_ENTITIES} for {@code tessera.online.max-entities}), then system
   *       properties ({@code -Dtessera.online.max-entities=...}), then {@code overrides};
   *   <li>every key must be one of {@link AllOptions#ALL}: an unknown key fails with a did-you-mean.
   * </ol>
   */
  public static TesseraConfig resolve(Path home, Path file, Map<String, String> overrides) {
    Path h = home != null ? home : defaultHome();
    Path f = configFile(h, file).orElse(null);
    Map<String, String> on = new LinkedHashMap<>();
    for (ConfigOption<?> o : AllOptions.ALL) {
      String v = firstSet(System.getProperty(o.key()), System.getenv(envName(o.key())));
      if (v != null) {
        on.put(o.key(), v);
      }
    }
    on.putAll(overrides);
    return load(f, h, on).requireKnown(AllOptions.ALL);
  }

  /** The config file {@link #resolve} reads (steps 1 and 2), if any; a file named but missing is an error. */
  public static Optional<Path> configFile(Path home, Path file) {
    Path f = file;
    if (f == null) {
      String named = firstSet(System.getProperty("tessera.config"), System.getenv("TESSERA_CONFIG"));
      if (named != null) {
        f = Path.of(named);
      } else if (Files.isRegularFile(home.resolve("tessera.properties"))) {
        f = home.resolve("tessera.properties");
      }
    }
    if (f != null && !Files.isRegularFile(f)) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read config '" + f + "': no such file");
    }
    return Optional.ofNullable(f);
  }

  /** The environment variable of a key: {@code tessera.online.api-keys} is {@code TESSERA_ONLINE_API_KEYS}. */
  public static String envName(String key) {
    return key.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  private static String firstSet(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  /** Only defaults (and {@code overrides}), no file; for tests and embedded use. */
  public static TesseraConfig defaults(Path home, Map<String, String> overrides) {
    return new TesseraConfig(home, overrides, "defaults");
  }

  /** Reads {@code file} (null: no file) and applies {@code overrides} on top. */
  public static TesseraConfig load(Path file, Path home, Map<String, String> overrides) {
    Map<String, String> values = new LinkedHashMap<>();
    if (file != null) {
      Properties props = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        props.load(r);
      } catch (IOException e) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read config '" + file + "': " + e.getMessage(), e);
      }
      props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k).trim()));
    }
    values.putAll(overrides);
    return new TesseraConfig(home, values, file == null ? "defaults" : file.toString());
  }

  /** Every key set (raw, before expansion), file and overrides merged. */
  public Map<String, String> values() {
    return values;
  }

  public Path home() {
    return home;
  }

  /** The value of {@code option}, or its default; throws when neither is set. */
  public <T> T get(ConfigOption<T> option) {
    return find(option).orElseThrow(() -> new TesseraException(ErrorCode.INVALID_ARGUMENT,
        "Cannot read config key '" + option.key() + "': it has no value and no default (" + option.description() + ")"));
  }

  public <T> Optional<T> find(ConfigOption<T> option) {
    String raw = values.get(option.key());
    if (raw == null || raw.isEmpty()) {
      if (option.defaultValue() instanceof String text) {
        return Optional.of(option.parser().apply(expand(text)));
      }
      return Optional.ofNullable(option.defaultValue());
    }
    String expanded = expand(raw);
    try {
      return Optional.of(option.parser().apply(expanded));
    } catch (RuntimeException e) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "Cannot read config key '" + option.key() + "' in " + origin + ": value '" + raw + "' is not a valid "
              + option.type() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
    }
  }

  /** A raw string value with placeholders expanded, for options that are defaults relative to home. */
  public String expand(String raw) {
    Matcher m = PLACEHOLDER.matcher(raw);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group(3) != null) { // a secret kept in a file (a mounted Kubernetes secret): its content, without the final newline
        try {
          replacement = java.nio.file.Files.readString(Path.of(m.group(3).trim())).stripTrailing();
        } catch (java.io.IOException e) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
              "Cannot expand '${file:" + m.group(3) + "}' in " + origin + ": cannot read the file (" + e.getMessage() + ")");
        }
      } else if (m.group(2) == null) {
        replacement = home.toString();
      } else {
        replacement = System.getenv(m.group(2));
        if (replacement == null) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
              "Cannot expand '${env:" + m.group(2) + "}' in " + origin + ": the environment variable is not set");
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Keys present that no known option declares, each with a did-you-mean; empty when all known. */
  public List<String> unknownKeys(Collection<ConfigOption<?>> known) {
    List<String> names = known.stream().map(ConfigOption::key).toList();
    List<String> problems = new ArrayList<>();
    for (String key : values.keySet()) {
      if (!names.contains(key) && !key.startsWith(KAFKA_CLIENT_PREFIX)) { // Kafka client properties: checked by KafkaClients
        problems.add("Unknown config key '" + key + "' in " + origin + Problems.didYouMean(key, names));
      }
    }
    return problems;
  }

  /** Throws listing every unknown key. */
  public TesseraConfig requireKnown(Collection<ConfigOption<?>> known) {
    List<String> unknown = unknownKeys(known);
    if (!unknown.isEmpty()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, String.join("\n", unknown));
    }
    return this;
  }
}
