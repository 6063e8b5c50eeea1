package dev.tessera.contracts.parser;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each field path of a contract sits in its file, so checks that run after parsing can
 * still point at the line and column.
 */
public final class SourceMap {
  private final Map<String, Position> positions = new HashMap<>();

  void put(String path, Position position) {
    positions.putIfAbsent(path, position);
  }

  /** The position of {@code path}, else of its nearest parent that has one, else the file. */
  public Position positionOf(String path) {
    String p = path;
    while (true) {
      Position pos = positions.get(p);
      if (pos != null) {
        return pos;
      }
      if (p.isEmpty()) {
        return Position.FILE;
      }
      p = parent(p);
    }
  }

  static String parent(String path) {
    int dot = path.lastIndexOf('.');
    int bracket = path.lastIndexOf('[');
    int cut = Math.max(dot, bracket);
    return cut < 0 ? "" : path.substring(0, cut);
  }
}
