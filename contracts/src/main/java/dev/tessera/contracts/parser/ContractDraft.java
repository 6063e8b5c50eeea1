package dev.tessera.contracts.parser;

import dev.tessera.contracts.model.AvroEncoding;
import dev.tessera.contracts.model.Consumer;
import dev.tessera.contracts.model.ContractStatus;
import dev.tessera.contracts.model.Entity;
import dev.tessera.contracts.model.EntityKey;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.Owner;
import dev.tessera.contracts.model.QualityRule;
import dev.tessera.contracts.model.SemVer;
import dev.tessera.contracts.model.Sla;
import dev.tessera.contracts.model.Source;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * What the parser could read from a contract file, field by field; a field that failed to parse
 * is null and has a problem recorded. The validator checks the draft as a whole, and {@link
 * #toContract()} turns a clean draft into a {@link FeatureSetContract}. Maps are keyed by the list
 * index in the file, so problems can name {@code features[3]}.
 */
public final class ContractDraft {
  public final Path file;
  public final SourceMap sourceMap;
  public final Problems problems;

  public String name;
  public SemVer version;
  public ContractStatus status = ContractStatus.ACTIVE;
  public String description;
  public Owner owner;
  public Map<String, String> tags = Map.of();
  /** {@code sunset}: the day a deprecated major stops answering; {@code replacement}: {@code <name>@<major>}. */
  public java.time.LocalDate sunset;
  public String replacement;
  /** {@code source.pii}: item path to source field name. */
  public Map<String, String> pii = new java.util.LinkedHashMap<>();

  public String entityName;
  public final Map<Integer, EntityKey> entityKeys = new LinkedHashMap<>();

  public String topic;
  public String format = "avro";
  public AvroEncoding encoding = AvroEncoding.BINARY;
  public String schemaPath;
  public Schema schema;
  public String eventTime;
  public Map<String, String> sourceKeys;
  public Duration maxOutOfOrderness = Duration.ZERO;
  public Duration allowedLateness = Duration.ZERO;

  public Duration windowHop = Duration.ofMinutes(1);
  public Duration ttl;
  public final Map<Integer, Feature> features = new LinkedHashMap<>();
  public final Map<Integer, QualityRule> quality = new LinkedHashMap<>();
  public Sla sla = Sla.NONE;
  public final Map<Integer, Consumer> consumers = new LinkedHashMap<>();

  ContractDraft(Path file, SourceMap sourceMap, Problems problems) {
    this.file = file;
    this.sourceMap = sourceMap;
    this.problems = problems;
  }

  /** Builds the contract; call only when {@link #problems} is empty. */
  public FeatureSetContract toContract() {
    if (!problems.isEmpty()) {
      throw new IllegalStateException("draft of " + file + " has problems: " + problems.list());
    }
    return new FeatureSetContract(
        name,
        version,
        status,
        description,
        owner,
        tags,
        new Entity(entityName, List.copyOf(entityKeys.values())),
        new Source(
            topic,
            format,
            encoding,
            schemaPath,
            schema,
            eventTime,
            sourceKeys,
            maxOutOfOrderness,
            allowedLateness,
            new java.util.LinkedHashSet<>(pii.values())),
        windowHop,
        ttl,
        List.copyOf(features.values()),
        List.copyOf(quality.values()),
        sla,
        List.copyOf(consumers.values()),
        sunset,
        replacement);
  }
}
