package dev.tessera.config;

import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.TesseraException;
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
 * (the Tessera home) and {@code ${env:NAME}} expanded. Every choice between the embedded local
 * stack and production (catalog, warehouse, brokers, stores) is a key here, documented in {@code
 * docs/configuration.md}.
 *
 * <p>{@code
 * TesseraConfig config = TesseraConfig.load(Path.of("tessera.properties"), Path.of(".tessera"), Map.of());
 * String uri = config.get(OfflineOptions.CATALOG_URI);
 * }
 */
public final class TesseraConfig {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(home|env:([A-Za-z_][A-Za-z0-9_]*))}");

  private final Path home;
  private final Map<String, String> values;
  private final String origin;

  private TesseraConfig(Path home, Map<String, String> values, String origin) {
    this.home = home.toAbsolutePath().normalize();
    this.values = Map.copyOf(values);
    this.origin = origin;
  }

  /** Only defaults (and {@code overrides}), no file. */
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
      if (m.group(2) == null) {
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
      if (!names.contains(key)) {
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
