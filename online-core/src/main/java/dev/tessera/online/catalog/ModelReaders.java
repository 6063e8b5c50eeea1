package dev.tessera.online.catalog;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model services the catalog's lineage shows: read from the model configs ({@code kind:
 * ModelService}) of {@code tessera.online.models-dir}, the same files {@code tessera model serve}
 * and {@code tessera up --models} run. Only what lineage needs is read (name, version, consumer,
 * the feature sets of its inputs); the model service itself checks the rest. A file that cannot
 * be read is skipped with a warning: a catalog does not refuse to start over a model.
 */
public final class ModelReaders {
  private static final Logger LOG = LoggerFactory.getLogger(ModelReaders.class);

  /** One model service: the consumer it reads as and the feature sets ({@code name} or {@code name@major}) its inputs name. */
  public record Model(String name, String version, String consumer, Set<String> featureSets, String file) {
    /** Whether it reads feature set {@code name} (any major). */
    public boolean reads(String featureSet) {
      return featureSets.stream().anyMatch(f -> f.equals(featureSet) || f.startsWith(featureSet + "@"));
    }
  }

  private ModelReaders() {}

  private static String text(Object value, String otherwise) {
    return value == null ? otherwise : value.toString();
  }

  /** The model configs of {@code dir} (null or blank: none). */
  public static List<Model> read(String dir) {
    if (dir == null || dir.isBlank()) {
      return List.of();
    }
    List<Model> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of(dir))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
        try (Reader in = Files.newBufferedReader(f)) {
          Object doc = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(new org.yaml.snakeyaml.LoaderOptions()))
              .load(in);
          if (!(doc instanceof java.util.Map<?, ?> n) || !"ModelService".equals(n.get("kind"))) {
            continue;
          }
          Set<String> sets = new TreeSet<>();
          if (n.get("inputs") instanceof List<?> inputs) {
            for (Object input : inputs) {
              Object ref = input instanceof java.util.Map<?, ?> m ? m.get("feature") : input;
              String r = ref == null ? "" : ref.toString();
              int colon = r.indexOf(':');
              if (colon > 0) {
                sets.add(r.substring(0, colon));
              }
            }
          }
          out.add(new Model(text(n.get("name"), f.getFileName().toString()), text(n.get("version"), ""), text(n.get("consumer"), ""), sets,
              f.toString()));
        } catch (IOException | RuntimeException e) {
          LOG.warn("Catalog lineage skips model config {}: {}", f, e.getMessage());
        }
      }
    } catch (IOException e) {
      LOG.warn("Catalog lineage cannot list model configs in {}: {}", dir, e.getMessage());
    }
    return out;
  }
}
