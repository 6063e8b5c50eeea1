package dev.tessera.contracts.model;

import static java.util.Objects.requireNonNull;

/**
 * One problem found in a contract, positioned at the YAML node it concerns.
 *
 * @param file the file as the user named it
 * @param line 1-based line, or 0 when the problem concerns the whole file
 * @param column 1-based column, or 0 when unknown
 * @param path the field path inside the contract, such as {@code features[1].aggregate.window};
 *     empty for file-level problems
 * @param message what is wrong, quoting the bad value and saying what was expected
 */
public record Problem(String file, int line, int column, String path, String message)
    implements Comparable<Problem> {

  public Problem {
    requireNonNull(file, "file is null");
    requireNonNull(path, "path is null");
    requireNonNull(message, "message is null");
    if (line < 0 || column < 0) {
      throw new IllegalArgumentException("line and column must be >= 0, got " + line + ":" + column);
    }
  }

  /** Formats as {@code file:line:column: path: message}, the form editors and CI logs link. */
  public String format() {
    StringBuilder out = new StringBuilder(file);
    if (line > 0) {
      out.append(':').append(line).append(':').append(Math.max(column, 1));
    }
    out.append(": ");
    if (!path.isEmpty()) {
      out.append(path).append(": ");
    }
    return out.append(message).toString();
  }

  @Override
  public int compareTo(Problem other) {
    int byFile = file.compareTo(other.file);
    if (byFile != 0) {
      return byFile;
    }
    int byLine = Integer.compare(line, other.line);
    return byLine != 0 ? byLine : Integer.compare(column, other.column);
  }

  @Override
  public String toString() {
    return format();
  }
}
