package dev.tessera.contracts.compatibility;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.contracts.model.Consumer;
import dev.tessera.contracts.model.Problem;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;

/** The outcome of a {@link ContractCheck}, renderable as a PR comment. */
public record CheckReport(List<Entry> entries, List<Problem> headProblems, List<Problem> baseProblems) {
  public CheckReport {
    entries = List.copyOf(entries);
    headProblems = List.copyOf(headProblems);
    baseProblems = List.copyOf(baseProblems);
  }

  /** What happened to one contract between base and head. */
  public enum Kind {
    ADDED,
    CHANGED,
    UNCHANGED,
    DELETED
  }

  /** One contract's result; {@code failures} empty means it passes. */
  public record Entry(
      String name,
      Kind kind,
      String file,
      String baseVersion,
      String headVersion,
      Bump required,
      Bump declared,
      List<Change> changes,
      List<String> failures,
      List<Consumer> consumersToNotify) {
    public Entry {
      changes = List.copyOf(changes);
      failures = List.copyOf(failures);
      consumersToNotify = List.copyOf(consumersToNotify);
    }

    public boolean passed() {
      return failures.isEmpty();
    }
  }

  public boolean passed() {
    return headProblems.isEmpty() && entries.stream().allMatch(Entry::passed);
  }

  public String render(ReportFormat format) {
    return switch (format) {
      case MARKDOWN -> markdown();
      case JSON -> json();
      case TEXT -> text();
    };
  }

  public String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("## Tessera contract check: ").append(passed() ? "✅ passed" : "❌ failed").append("\n\n");
    List<Entry> shown = entries.stream().filter(e -> e.kind() != Kind.UNCHANGED).toList();
    if (shown.isEmpty() && headProblems.isEmpty()) {
      out.append("No contract changed.\n");
    }
    if (!shown.isEmpty()) {
      out.append("| Contract | Change | Version | Required | Declared | Result |\n|---|---|---|---|---|---|\n");
      for (Entry e : shown) {
        out.append("| `").append(e.name()).append("` | ").append(e.kind().name().toLowerCase())
            .append(" | ").append(versions(e)).append(" | ").append(e.required())
            .append(" | ").append(e.declared() == null ? "–" : e.declared())
            .append(" | ").append(e.passed() ? "✅" : "❌").append(" |\n");
      }
    }
    for (Entry e : shown) {
      out.append("\n### `").append(e.name()).append("` (").append(e.kind().name().toLowerCase())
          .append(", ").append(versions(e)).append(")\n\n");
      for (String f : e.failures()) {
        out.append("- ❌ ").append(f).append('\n');
      }
      if (!e.failures().isEmpty()) {
        out.append('\n');
      }
      if (!e.changes().isEmpty()) {
        out.append("| Bump | Path | Change | Reason |\n|---|---|---|---|\n");
        for (Change c : e.changes()) {
          out.append("| ").append(c.bump()).append(" | `").append(c.path()).append("` | ")
              .append(c.change()).append(" | ").append(DiffRenderer.escape(c.reason())).append(" |\n");
        }
        out.append('\n');
      }
      if (!e.consumersToNotify().isEmpty()) {
        out.append("**Consumers to notify").append(e.kind() == Kind.DELETED ? " (deleted)" : " (MAJOR change)")
            .append(":** ").append(consumers(e.consumersToNotify())).append('\n');
      }
    }
    problems(out, "Invalid contracts in head (must be fixed)", headProblems);
    problems(out, "Invalid contracts in base (not counted against this PR)", baseProblems);
    return out.toString();
  }

  private static void problems(StringBuilder out, String title, List<Problem> problems) {
    if (problems.isEmpty()) {
      return;
    }
    out.append("\n### ").append(title).append("\n\n```\n");
    problems.forEach(p -> out.append(p.format()).append('\n'));
    out.append("```\n");
  }

  public String text() {
    StringBuilder out = new StringBuilder();
    for (Entry e : entries) {
      out.append(e.passed() ? "ok    " : "FAIL  ").append(e.name()).append(' ')
          .append(e.kind().name().toLowerCase()).append(' ').append(versions(e))
          .append(" required=").append(e.required()).append(" declared=")
          .append(e.declared() == null ? "-" : e.declared()).append('\n');
      e.failures().forEach(f -> out.append("      ").append(f).append('\n'));
      e.changes().forEach(c -> out.append(String.format("      %-5s %s: %s%n", c.bump(), c.path(), c.reason())));
    }
    headProblems.forEach(p -> out.append(p.format()).append('\n'));
    baseProblems.forEach(p -> out.append("(base) ").append(p.format()).append('\n'));
    out.append(passed() ? "contract check passed\n" : "contract check FAILED\n");
    return out.toString();
  }

  public String json() {
    ObjectNode root = DiffRenderer.JSON.createObjectNode();
    root.put("passed", passed());
    ArrayNode list = root.putArray("contracts");
    for (Entry e : entries) {
      ObjectNode n = list.addObject();
      n.put("name", e.name()).put("kind", e.kind().name()).put("file", e.file())
          .put("baseVersion", e.baseVersion()).put("headVersion", e.headVersion())
          .put("requiredBump", e.required().name())
          .put("declaredBump", e.declared() == null ? null : e.declared().name())
          .put("passed", e.passed());
      e.failures().forEach(n.putArray("failures")::add);
      ArrayNode changes = n.putArray("changes");
      e.changes().forEach(c -> changes.addObject().put("path", c.path()).put("change", c.change())
          .put("bump", c.bump().name()).put("reason", c.reason()));
      e.consumersToNotify().forEach(c -> n.withArray("consumersToNotify").addObject()
          .put("name", c.name()).put("team", c.team()));
    }
    headProblems.forEach(p -> root.withArray("headProblems").add(p.format()));
    baseProblems.forEach(p -> root.withArray("baseProblems").add(p.format()));
    try {
      return DiffRenderer.JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  private static String versions(Entry e) {
    if (e.baseVersion() == null) {
      return e.headVersion();
    }
    if (e.headVersion() == null) {
      return e.baseVersion() + " → deleted";
    }
    return e.baseVersion() + " → " + e.headVersion();
  }

  private static String consumers(List<Consumer> consumers) {
    return consumers.stream().map(Consumer::toString).collect(Collectors.joining(", "));
  }
}
