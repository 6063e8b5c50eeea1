package dev.tessera.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one way every entry point finds its configuration. */
class TesseraConfigTest {
  @TempDir Path home;

  @AfterEach
  void clear() {
    System.clearProperty("tessera.online.max-entities");
    System.clearProperty("tessera.config");
  }

  @Test
  void theHomeFileIsReadAndKnownKeysAreOverriddenBySystemPropertiesThenOptions() throws Exception {
    Files.writeString(home.resolve("tessera.properties"), "tessera.online.max-entities=10\ntessera.offline.namespace=ns\n");
    assertThat(TesseraConfig.resolve(home, null, Map.of()).get(OnlineOptions.MAX_ENTITIES)).isEqualTo(10);
    System.setProperty("tessera.online.max-entities", "20");
    TesseraConfig c = TesseraConfig.resolve(home, null, Map.of());
    assertThat(c.get(OnlineOptions.MAX_ENTITIES)).isEqualTo(20);
    assertThat(c.get(OfflineOptions.NAMESPACE)).isEqualTo("ns");
    assertThat(TesseraConfig.resolve(home, null, Map.of("tessera.online.max-entities", "30")).get(OnlineOptions.MAX_ENTITIES)).isEqualTo(30);
  }

  @Test
  void aNamedFileWinsOverTheHomeFile() throws Exception {
    Files.writeString(home.resolve("tessera.properties"), "tessera.offline.namespace=home\n");
    Path other = Files.writeString(home.resolve("other.properties"), "tessera.offline.namespace=other\n");
    assertThat(TesseraConfig.resolve(home, other, Map.of()).get(OfflineOptions.NAMESPACE)).isEqualTo("other");
    System.setProperty("tessera.config", other.toString());
    assertThat(TesseraConfig.resolve(home, null, Map.of()).get(OfflineOptions.NAMESPACE)).isEqualTo("other");
  }

  @Test
  void unknownKeysAndMissingFilesAreRefused() throws Exception {
    Files.writeString(home.resolve("tessera.properties"), "tessera.online.max-entitys=10\n");
    assertThatThrownBy(() -> TesseraConfig.resolve(home, null, Map.of())).isInstanceOfSatisfying(TesseraException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(e.getMessage()).contains("Unknown config key 'tessera.online.max-entitys'", "did you mean 'tessera.online.max-entities'?");
    });
    assertThatThrownBy(() -> TesseraConfig.resolve(home, home.resolve("nope.properties"), Map.of()))
        .hasMessageContaining("Cannot read config '" + home.resolve("nope.properties") + "': no such file");
  }

  @Test
  void environmentNamesFollowTheKeys() {
    assertThat(TesseraConfig.envName("tessera.online.api-keys")).isEqualTo("TESSERA_ONLINE_API_KEYS");
  }
}
