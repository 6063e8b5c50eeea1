package dev.tessera.cli.contract;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tessera contract schema}: prints the JSON Schema of the contract format, for editors. */
@Command(name = "schema", description = "Print the JSON Schema of the contract format (for editor validation).")
public final class SchemaCommand implements Callable<Integer> {
  static final String RESOURCE = "/tessera-contract.schema.json";

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    try (InputStream in = SchemaCommand.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new TesseraException(ErrorCode.INTERNAL, "Cannot find " + RESOURCE + " on the class path");
      }
      spec.commandLine().getOut().print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      spec.commandLine().getOut().flush();
      return 0;
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.INTERNAL, "Cannot read " + RESOURCE + ": " + e.getMessage(), e);
    }
  }
}
