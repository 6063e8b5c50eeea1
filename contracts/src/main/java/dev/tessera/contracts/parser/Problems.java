package dev.tessera.contracts.parser;

import dev.tessera.contracts.model.Problem;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Collects the problems of one file, positioned through its {@link SourceMap}. */
public final class Problems {
  private final String file;
  private final SourceMap sourceMap;
  private final List<Problem> problems = new ArrayList<>();

  public Problems(String file, SourceMap sourceMap) {
    this.file = file;
    this.sourceMap = sourceMap;
  }

  /** Reports a problem at the position recorded for {@code path}. */
  public void add(String path, String message) {
    add(sourceMap.positionOf(path), path, message);
  }

  void add(Position at, String path, String message) {
    problems.add(new Problem(file, at.line(), at.column(), path, message));
  }

  public String file() {
    return file;
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  public List<Problem> list() {
    return problems.stream().sorted().toList();
  }

  public void addAll(Collection<Problem> more) {
    problems.addAll(more);
  }

  /** Closest candidate within a small edit distance, for "did you mean" hints. */
  public static String didYouMean(String wrong, Collection<String> candidates) {
    return candidates.stream()
        .filter(c -> distance(wrong.toLowerCase(), c.toLowerCase()) <= Math.max(2, c.length() / 3))
        .min(Comparator.comparingInt(c -> distance(wrong.toLowerCase(), c.toLowerCase())))
        .map(c -> "; did you mean '" + c + "'?")
        .orElse("");
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
