package dev.tessera.model.rest;

import dev.tessera.errors.TesseraException;
import dev.tessera.model.service.ModelRuntime;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The model service's entry point: loads and checks the model (config, contracts, ONNX signature,
 * provider) before Quarkus starts, so a refusal is one clear message and exit status 2, not a
 * failed boot with a stack trace. Then serves until stopped.
 */
@QuarkusMain
public class ModelServiceMain implements QuarkusApplication {
  public static void main(String... args) {
    try {
      ModelRuntime.install(ModelRuntime.load(dev.tessera.config.TesseraConfig.resolve(null, null, java.util.Map.of())));
    } catch (TesseraException e) {
      System.err.println("tessera model serve: " + e.getMessage());
      System.exit(2);
    }
    Quarkus.run(ModelServiceMain.class, args);
  }

  @Override
  public int run(String... args) {
    Quarkus.waitForExit();
    return 0;
  }
}
