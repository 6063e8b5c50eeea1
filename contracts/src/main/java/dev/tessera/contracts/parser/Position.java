package dev.tessera.contracts.parser;

/** A 1-based line and column in a contract file. */
public record Position(int line, int column) {
  public static final Position FILE = new Position(0, 0);
}
