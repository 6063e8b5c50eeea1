package dev.tessera.online.api;

import dev.tessera.config.TesseraConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Makes the shared Tessera properties file ({@code TESSERA_CONFIG}, {@code -Dtessera.config}, else
 * {@code <home>/tessera.properties} when it exists)
 * a MicroProfile config source, so that the service reads the same file as the CLI. Values are
 * expanded ({@code ${home}}, {@code ${env:NAME}}) here; system properties and environment
 * variables (ordinals 400 and 300) override it, and it overrides application.properties (250).
 */
public final class TesseraConfigSource implements ConfigSource {
  private final Map<String, String> values = new HashMap<>();

  public TesseraConfigSource() {
    String file = System.getProperty("tessera.config", System.getenv("TESSERA_CONFIG"));
    Path path;
    if (file != null && !file.isBlank()) {
      path = Path.of(file);
    } else if (Files.isRegularFile(home().resolve("tessera.properties"))) {
      path = home().resolve("tessera.properties"); // as the CLI does
    } else {
      return;
    }
    TesseraConfig expander = TesseraConfig.defaults(home(), Map.of());
    Properties props = new Properties();
    try (var r = Files.newBufferedReader(path)) {
      props.load(r);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Cannot read config '" + path + "' (TESSERA_CONFIG): " + e.getMessage(), e);
    }
    props.stringPropertyNames().forEach(k -> values.put(k, expander.expand(props.getProperty(k).trim())));
  }

  /** The Tessera home: {@code -Dtessera.home}, {@code TESSERA_HOME}, else {@code .tessera}. */
  static Path home() {
    String home = System.getProperty("tessera.home", System.getenv("TESSERA_HOME"));
    return Path.of(home == null || home.isBlank() ? ".tessera" : home);
  }

  @Override
  public Set<String> getPropertyNames() {
    return values.keySet();
  }

  @Override
  public String getValue(String propertyName) {
    return values.get(propertyName);
  }

  @Override
  public String getName() {
    return "tessera-config";
  }

  @Override
  public int getOrdinal() {
    return 260;
  }
}
