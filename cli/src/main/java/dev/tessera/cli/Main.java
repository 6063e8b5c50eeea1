package dev.tessera.cli;

import dev.tessera.contracts.model.ContractException;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Entry point of the {@code tessera} launcher. Exit codes: 0 ok, 1 invalid input or a failed
 * check (errors of kind USER), 2 a usage error, 75 a transient failure worth retrying (TRANSIENT),
 * 70 an internal error (INTERNAL, and anything that is not a Tessera error).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    sendS3ChecksumsOnlyWhereRequired();
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * S3-compatible stores (MinIO, s3proxy) reject the checksums the AWS SDK sends by default since
   * 2.30; this process sends them only where S3 requires them, unless the operator chose otherwise
   * ({@code -Daws.requestChecksumCalculation} or {@code AWS_REQUEST_CHECKSUM_CALCULATION}). A JVM
   * setting, so the entry point makes it, not the libraries.
   */
  static void sendS3ChecksumsOnlyWhereRequired() {
    if (System.getProperty("aws.requestChecksumCalculation") == null && System.getenv("AWS_REQUEST_CHECKSUM_CALCULATION") == null) {
      System.setProperty("aws.requestChecksumCalculation", "when_required");
      System.setProperty("aws.responseChecksumValidation", "when_required");
    }
  }

  /** Runs the CLI with the given streams and returns the exit code; used by tests too. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return commandLine(out, err).execute(args);
  }

  /** The configured command line: its subcommands, streams, and the one error handler. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new TesseraCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, commandLine.getErr()));
    return cli;
  }

  /** Prints a failure as one message (never a stack trace unless TESSERA_DEBUG is set) and returns its exit code. */
  static int report(Exception e, PrintWriter w) {
    if (e instanceof ContractException ce) {
      ce.problems().forEach(p -> w.println(p.format()));
      return ErrorCode.INVALID_CONTRACT.kind().exitCode();
    }
    TesseraException te = TesseraException.wrap(e);
    ErrorCode.Kind kind = te.code().kind();
    w.println("tessera: " + (kind == ErrorCode.Kind.INTERNAL ? "internal error: " : "") + te.getMessage());
    if (kind == ErrorCode.Kind.TRANSIENT) {
      w.println("(a transient failure: the same command may succeed later)");
    }
    if (kind == ErrorCode.Kind.INTERNAL) {
      if (System.getenv("TESSERA_DEBUG") != null) {
        e.printStackTrace(w);
      } else {
        w.println("(set TESSERA_DEBUG=1 to see the stack trace)");
      }
    }
    return kind.exitCode();
  }
}
