package dev.tessera.contracts.parser;

import dev.tessera.contracts.model.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping read field by field (contracts, and other Tessera documents such as model
 * service configs: {@link YamlDocument}). Every accessor reports its own problems (missing, wrong
 * shape, bad value) and returns null on failure, so one pass finds all problems. Keys never asked
 * for are reported by {@link #finish()} as unknown, with a "did you mean" hint.
 */
public final class YamlMap {
  private static final Pattern PERCENT = Pattern.compile("(\\d{1,3}(?:\\.\\d+)?)%");

  private final Problems problems;
  private final SourceMap sourceMap;
  private final String path;
  private final Node node;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
  private final Set<String> known = new LinkedHashSet<>();

  YamlMap(Problems problems, SourceMap sourceMap, String path, MappingNode node) {
    this.problems = problems;
    this.sourceMap = sourceMap;
    this.path = path;
    this.node = node;
    sourceMap.put(path, position(node));
    for (NodeTuple tuple : node.getValue()) {
      Node key = tuple.getKeyNode();
      if (!(key instanceof ScalarNode scalarKey)) {
        problems.add(position(key), path, "Cannot use a " + shape(key) + " as a key: expected a name");
        continue;
      }
      String name = scalarKey.getValue();
      if (entries.containsKey(name)) {
        problems.add(position(key), child(name), "Duplicate key '" + name + "'");
        continue;
      }
      entries.put(name, tuple);
      sourceMap.put(child(name), position(tuple.getValueNode()));
    }
  }

  public String path() {
    return path;
  }

  public String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public boolean has(String key) {
    known.add(key);
    Node value = valueNode(key);
    return value != null;
  }

  /** The value node, or null when absent; marks the key as known. */
  public Node valueNode(String key) {
    known.add(key);
    NodeTuple tuple = entries.get(key);
    return tuple == null ? null : tuple.getValueNode();
  }

  public String string(String key, boolean required) {
    Node value = present(key, required);
    if (value == null) {
      return null;
    }
    if (!(value instanceof ScalarNode scalar)) {
      error(key, value, "Cannot read '" + key + "': expected a single value, got a " + shape(value));
      return null;
    }
    String text = scalar.getValue().trim();
    if (text.isEmpty()) {
      error(key, value, "Cannot read '" + key + "': the value is empty");
      return null;
    }
    return text;
  }

  /**
   * A text value: like {@link #string}, but a plain scalar that YAML reads as a boolean or a
   * number ({@code no}, {@code 0x1F}, {@code 1e3}) is refused with a hint to quote it, as the JSON
   * Schema (and every YAML 1.1 tool) would read it.
   */
  public String text(String key, boolean required) {
    String text = string(key, required);
    Node value = valueNode(key);
    if (text != null && value instanceof ScalarNode scalar && scalar.isPlain()
        && (Tag.BOOL.equals(scalar.getTag()) || Tag.INT.equals(scalar.getTag()) || Tag.FLOAT.equals(scalar.getTag()))) {
      String kind = Tag.BOOL.equals(scalar.getTag()) ? "a boolean" : "a number";
      error(key, value, "Cannot read '" + key + "': expected text, got " + kind + " (" + text + "); quote it to mean text: \"" + text + "\"");
      return null;
    }
    return text;
  }

  public Duration duration(String key, boolean required) {
    String text = string(key, required);
    if (text == null) {
      return null;
    }
    return Durations.tryParse(text)
        .orElseGet(
            () -> {
              error(key, "Cannot parse duration '" + text + "': " + Durations.EXPECTED);
              return null;
            });
  }

  public Double number(String key, boolean required) {
    String text = string(key, required);
    if (text == null) {
      return null;
    }
    try {
      double d = Double.parseDouble(text);
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    error(key, "Cannot parse number '" + text + "': expected a finite decimal number");
    return null;
  }

  public Double percent(String key) {
    String text = string(key, false);
    if (text == null) {
      return null;
    }
    Matcher m = PERCENT.matcher(text);
    double value = m.matches() ? Double.parseDouble(m.group(1)) : -1;
    if (value <= 0 || value > 100) {
      error(key, "Cannot parse percentage '" + text + "': expected <number>% in (0, 100], e.g. 99.9%");
      return null;
    }
    return value;
  }

  <E extends Enum<E>> E enumValue(
      String key, boolean required, Class<E> type, Function<E, String> yamlName) {
    String text = string(key, required);
    if (text == null) {
      return null;
    }
    List<String> names = Arrays.stream(type.getEnumConstants()).map(yamlName).toList();
    for (E constant : type.getEnumConstants()) {
      if (yamlName.apply(constant).equals(text)) {
        return constant;
      }
    }
    error(
        key,
        "Unknown "
            + key
            + " '"
            + text
            + "': expected one of "
            + String.join(", ", names)
            + Problems.didYouMean(text.toLowerCase(Locale.ROOT), names));
    return null;
  }

  public YamlMap map(String key, boolean required) {
    Node value = present(key, required);
    if (value == null) {
      return null;
    }
    if (!(value instanceof MappingNode mapping)) {
      error(key, value, "Cannot read '" + key + "': expected a mapping, got a " + shape(value));
      return null;
    }
    return new YamlMap(problems, sourceMap, child(key), mapping);
  }

  /** The items of a list value, each with its path {@code key[i]}; empty on failure. */
  public List<Item> list(String key, boolean required) {
    Node value = present(key, required);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof SequenceNode seq)) {
      error(key, value, "Cannot read '" + key + "': expected a list, got a " + shape(value));
      return List.of();
    }
    if (required && seq.getValue().isEmpty()) {
      error(key, value, "Cannot read '" + key + "': the list is empty, expected at least one item");
    }
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      Node item = seq.getValue().get(i);
      String itemPath = child(key) + "[" + i + "]";
      sourceMap.put(itemPath, position(item));
      items.add(new Item(i, itemPath, item));
    }
    return items;
  }

  /**
   * Keys and string values of a flat mapping, such as {@code source.keys} (values must be text)
   * or {@code tags} (numbers and booleans allowed, as text).
   */
  public Map<String, String> stringMap(String key, boolean required, boolean textOnly) {
    YamlMap inner = map(key, required);
    if (inner == null) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : inner.entries.keySet()) {
      String v = textOnly ? inner.text(name, true) : inner.string(name, true);
      if (v != null) {
        out.put(name, v);
      }
    }
    if (required && out.isEmpty() && inner.entries.isEmpty()) {
      error(key, "Cannot read '" + key + "': the mapping is empty, expected at least one entry");
    }
    return out;
  }

  /** Reports keys that no accessor asked for. */
  public void finish() {
    for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
      if (!known.contains(e.getKey())) {
        problems.add(
            position(e.getValue().getKeyNode()),
            child(e.getKey()),
            "Unknown key '"
                + e.getKey()
                + "'"
                + Problems.didYouMean(e.getKey(), known)
                + " (allowed here: "
                + known.stream().collect(Collectors.joining(", "))
                + ")");
      }
    }
  }

  public YamlMap mapItem(Item item) {
    if (!(item.node() instanceof MappingNode mapping)) {
      problems.add(
          position(item.node()),
          item.path(),
          "Cannot read list item: expected a mapping, got a " + shape(item.node()));
      return null;
    }
    return new YamlMap(problems, sourceMap, item.path(), mapping);
  }

  public String itemString(Item item) {
    if (item.node() instanceof ScalarNode scalar && !isNull(scalar)) {
      return scalar.getValue();
    }
    problems.add(position(item.node()), item.path(), "Cannot read list item: expected a value");
    return null;
  }

  public void error(String key, String message) {
    problems.add(child(key), message);
  }

  private void error(String key, Node at, String message) {
    problems.add(position(at), child(key), message);
  }

  private Node present(String key, boolean required) {
    Node value = valueNode(key);
    if (value == null) {
      if (required) {
        problems.add(position(node), child(key), "Missing required key '" + key + "'");
      }
      return null;
    }
    if (isNull(value)) {
      // "key:" with nothing after it is almost always a truncated or half-edited block
      error(key, value, "Cannot read '" + key + "': it has no value; give one, or delete the key" + (required ? " (it is required)" : ""));
      return null;
    }
    return value;
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
  }

  static Position position(Node node) {
    Mark mark = node.getStartMark();
    return mark == null ? Position.FILE : new Position(mark.getLine() + 1, mark.getColumn() + 1);
  }

  static String shape(Node node) {
    return switch (node.getNodeId()) {
      case mapping -> "mapping";
      case sequence -> "list";
      case scalar -> "value";
      case anchor -> "anchor";
    };
  }

  /** One list element with its index and path. */
  public record Item(int index, String path, Node node) {}
}
