package dev.tessera.contracts.parser;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a YAML document whose top level is a mapping, as every Tessera document is (contracts,
 * model service configs), with the contract reader's checks: UTF-8 and control characters, alias
 * limits, duplicate keys, each problem with its line and column.
 */
public final class YamlDocument {
  private YamlDocument() {}

  /**
   * The top-level mapping of {@code file}, or null when it cannot be read (the problems say why).
   *
   * @param what what the document is, for messages ("contract", "model config")
   */
  public static YamlMap read(Path file, String what, Problems problems, SourceMap sourceMap) {
    String text;
    try {
      text = YamlText.decode(Files.readAllBytes(file), problems);
    } catch (NoSuchFileException e) {
      problems.add(Position.FILE, "", "Cannot read " + what + ": file not found");
      return null;
    } catch (IOException e) {
      problems.add(Position.FILE, "", "Cannot read " + what + ": " + e.getMessage());
      return null;
    }
    if (text == null || !YamlText.checkCharacters(text, problems)) {
      return null;
    }
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setMaxAliasesForCollections(YamlText.MAX_ALIASES);
      options.setAllowDuplicateKeys(true); // reported by YamlMap with a position instead
      root = new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      Position at = mark == null ? YamlText.START : new Position(mark.getLine() + 1, mark.getColumn() + 1);
      String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
      String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
      problems.add(at, "", "Cannot parse YAML: " + problem + context);
      return null;
    } catch (YAMLException e) {
      problems.add(YamlText.positionOf(text, e), "", YamlText.describe(e));
      return null;
    }
    if (root == null) {
      problems.add(YamlText.START, "", "Cannot read " + what + ": the file is empty (or only comments)");
      return null;
    }
    if (!(root instanceof MappingNode mapping)) {
      problems.add(YamlMap.position(root), "", "Cannot read " + what + ": expected a mapping at the top level, got a " + YamlMap.shape(root));
      return null;
    }
    return new YamlMap(problems, sourceMap, "", mapping);
  }
}
