package dev.tessera.online.rest;

import dev.tessera.config.TesseraConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The shared Tessera properties file, found as every entry point finds it ({@link
 * TesseraConfig#configFile}), as a MicroProfile config source: Quarkus settings in
 * application.properties may refer to Tessera keys (e.g. the body size limit). Values are
 * expanded ({@code ${home}}, {@code ${env:NAME}}); system properties and environment variables
 * (ordinals 400 and 300) override it, and it overrides application.properties (250). The service
 * itself reads its options with {@link TesseraConfig#resolve}, as the CLI does.
 */
public final class TesseraConfigSource implements ConfigSource {
  private final Map<String, String> values = new HashMap<>();

  public TesseraConfigSource() {
    TesseraConfig.configFile(TesseraConfig.defaultHome(), null).ifPresent(file -> {
      TesseraConfig config = TesseraConfig.load(file, TesseraConfig.defaultHome(), Map.of());
      config.values().forEach((k, v) -> values.put(k, config.expand(v)));
    });
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
