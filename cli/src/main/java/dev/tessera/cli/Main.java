package dev.tessera.cli;

import dev.tessera.contracts.api.ContractException;
import dev.tessera.contracts.api.TesseraException;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of the {@code tessera} launcher. */
public final class Main {
  /** Exit code of an unexpected failure (sysexits EX_SOFTWARE). */
  static final int INTERNAL_ERROR = 70;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given streams and returns the exit code; used by tests too. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new TesseraCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter w = commandLine.getErr();
      if (e instanceof ContractException ce) {
        ce.problems().forEach(p -> w.println(p.format()));
        return 1;
      }
      if (e instanceof TesseraException te) {
        w.println("tessera: " + te.getMessage());
        return 1;
      }
      w.println("tessera: internal error: " + e);
      if (System.getenv("TESSERA_DEBUG") != null) {
        e.printStackTrace(w);
      } else {
        w.println("(set TESSERA_DEBUG=1 to see the stack trace)");
      }
      return INTERNAL_ERROR;
    });
    return cli.execute(args);
  }
}
