package dev.tessera.ingest.window;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.contracts.model.AggregateFunction;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.errors.TesseraException;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What window state was written with: the contract version, each feature's definition by name
 * (type, function, field, window, whether deprecated), and the source fields a pending event
 * carries. State is read by name through this, never by position, so a savepoint of any earlier
 * minor version restores into today's contract ({@link FeatureWindows#adopt}).
 */
public record Layout(String version, List<Def> features, List<String> fields) implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One feature's definition: what its partial aggregates mean. */
  public record Def(String name, FeatureType type, AggregateFunction function, String field, long windowMillis, boolean deprecated)
      implements Serializable {
    public Def {
      requireNonNull(name, "name is null");
      requireNonNull(type, "type is null");
      requireNonNull(function, "function is null");
    }

    /** Whether partials of {@code other} mean the same as this feature's (deprecation does not matter). */
    public boolean sameAggregate(Def other) {
      return type == other.type && function == other.function && java.util.Objects.equals(field, other.field)
          && windowMillis == other.windowMillis;
    }

    /** {@code count of amount over 1h}, for messages. */
    public String describe() {
      return function.yamlName() + (field == null ? "" : " of " + field)
          + (windowMillis == 0 ? " over all history" : " over " + dev.tessera.contracts.model.Durations.format(java.time.Duration.ofMillis(windowMillis)))
          + " (" + type + ")";
    }
  }

  public Layout {
    requireNonNull(version, "version is null");
    features = List.copyOf(features);
    fields = List.copyOf(fields);
  }

  public static Layout of(FeatureSetContract contract, List<String> fields) {
    List<Def> defs = new ArrayList<>();
    for (Feature f : contract.features()) {
      defs.add(new Def(f.name(), f.type(), f.aggregate().function(), f.aggregate().field(),
          f.aggregate().window() == null ? 0 : f.aggregate().window().toMillis(), f.isDeprecated()));
    }
    return new Layout(contract.version().toString(), defs, fields);
  }

  public int indexOf(String feature) {
    for (int i = 0; i < features.size(); i++) {
      if (features.get(i).name().equals(feature)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether state of {@code other} is state of this layout as it is (no migration needed). */
  public boolean sameShape(Layout other) {
    if (other == this) {
      return true;
    }
    if (other.features.size() != features.size() || !other.fields.equals(fields)) {
      return false;
    }
    for (int i = 0; i < features.size(); i++) {
      Def a = features.get(i);
      Def b = other.features.get(i);
      if (!a.name().equals(b.name()) || !a.sameAggregate(b)) {
        return false;
      }
    }
    return true;
  }

  public String toJson() {
    ObjectNode node = JSON.createObjectNode().put("version", version);
    ArrayNode defs = node.putArray("features");
    for (Def d : features) {
      ObjectNode f = defs.addObject().put("name", d.name()).put("type", d.type().yamlName())
          .put("function", d.function().yamlName()).put("window_ms", d.windowMillis()).put("deprecated", d.deprecated());
      if (d.field() != null) {
        f.put("field", d.field());
      }
    }
    ArrayNode names = node.putArray("fields");
    fields.forEach(names::add);
    return node.toString();
  }

  public static Layout fromJson(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      List<Def> defs = new ArrayList<>();
      for (JsonNode f : node.get("features")) {
        defs.add(new Def(f.get("name").asText(), FeatureType.valueOf(f.get("type").asText().toUpperCase(Locale.ROOT)),
            AggregateFunction.valueOf(f.get("function").asText().toUpperCase(Locale.ROOT)),
            f.hasNonNull("field") ? f.get("field").asText() : null, f.get("window_ms").asLong(), f.path("deprecated").asBoolean()));
      }
      List<String> fields = new ArrayList<>();
      node.get("fields").forEach(x -> fields.add(x.asText()));
      return new Layout(node.get("version").asText(), defs, fields);
    } catch (IOException | RuntimeException e) {
      throw new TesseraException(ErrorCode.INTERNAL, "Cannot read a window-state layout: " + e.getMessage() + " in " + json, e);
    }
  }
}
