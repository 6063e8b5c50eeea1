package dev.tessera.contracts.compatibility;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/** Renders a {@link ContractDiff} as text, JSON or markdown. */
public final class DiffRenderer {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private DiffRenderer() {}

  public static String render(ContractDiff diff, ReportFormat format) {
    return switch (format) {
      case TEXT -> text(diff);
      case JSON -> json(diff);
      case MARKDOWN -> markdown(diff);
    };
  }

  static String text(ContractDiff diff) {
    StringBuilder out = new StringBuilder();
    out.append(diff.oldContract().id()).append(" -> ").append(diff.newContract().id()).append('\n');
    for (Change c : diff.changes()) {
      out.append(String.format("  %-5s  %s: %s%n", c.bump(), c.path(), c.reason()));
    }
    if (diff.changes().isEmpty()) {
      out.append("  no changes\n");
    }
    out.append("required bump: ").append(diff.requiredBump())
        .append(", declared: ").append(declared(diff))
        .append(diff.versionSufficient() ? " (ok)" : " (NOT ENOUGH)").append('\n');
    return out.toString();
  }

  static String json(ContractDiff diff) {
    ObjectNode root = toJson(diff);
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode toJson(ContractDiff diff) {
    ObjectNode root = JSON.createObjectNode();
    root.put("name", diff.newContract().name());
    root.put("oldVersion", diff.oldContract().version().toString());
    root.put("newVersion", diff.newContract().version().toString());
    root.put("requiredBump", diff.requiredBump().name());
    root.put("declaredBump", declared(diff));
    root.put("versionSufficient", diff.versionSufficient());
    ArrayNode changes = root.putArray("changes");
    for (Change c : diff.changes()) {
      changes.addObject()
          .put("path", c.path())
          .put("change", c.change())
          .put("bump", c.bump().name())
          .put("reason", c.reason());
    }
    return root;
  }

  static String markdown(ContractDiff diff) {
    StringBuilder out = new StringBuilder();
    out.append("### `").append(diff.newContract().name()).append("` ")
        .append(diff.oldContract().version()).append(" → ").append(diff.newContract().version()).append("\n\n");
    out.append("Required bump: **").append(diff.requiredBump()).append("**, declared: **")
        .append(declared(diff)).append("**\n\n");
    out.append(changeTable(diff));
    return out.toString();
  }

  static String changeTable(ContractDiff diff) {
    if (diff.changes().isEmpty()) {
      return "No changes.\n";
    }
    StringBuilder out = new StringBuilder("| Bump | Path | Change | Reason |\n|---|---|---|---|\n");
    for (Change c : diff.changes()) {
      out.append("| ").append(c.bump()).append(" | `").append(c.path()).append("` | ")
          .append(c.change()).append(" | ").append(escape(c.reason())).append(" |\n");
    }
    return out.toString();
  }

  static String declared(ContractDiff diff) {
    Bump b = diff.declaredBump();
    return b == null ? "BACKWARDS" : b.name();
  }

  static String escape(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
