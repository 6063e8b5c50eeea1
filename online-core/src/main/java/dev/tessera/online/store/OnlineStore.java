package dev.tessera.online.store;

import dev.tessera.contracts.rows.WriterSchema;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The online store: the latest row per (changelog topic, encoded entity key). Writes are
 * idempotent (a row only replaces an older one: higher event time, then higher sequence), so
 * at-least-once delivery is safe; each batch is stored atomically with the next offset of its
 * partition, so a restart resumes without a full replay.
 */
public interface OnlineStore extends AutoCloseable {
  /** A changelog record to apply. */
  record Write(byte[] key, StoredRow row) {}

  /** Applies a batch of one partition with its next offset, atomically; returns how many rows changed. */
  int apply(String topic, int partition, List<Write> writes, long nextOffset);

  Optional<StoredRow> get(String topic, byte[] key);

  /** The rows of many keys of one topic, in order (null where absent): one round trip where the store allows. */
  default List<StoredRow> getAll(String topic, List<byte[]> keys) {
    List<StoredRow> out = new java.util.ArrayList<>(keys.size());
    for (byte[] k : keys) {
      out.add(get(topic, k).orElse(null));
    }
    return out;
  }

  /**
   * Keeps a changelog writer schema (idempotent), so that every replica reading this store can
   * resolve the rows written with it, even after the schema record has left its read position.
   */
  void saveSchema(WriterSchema schema);

  /** Every writer schema kept. */
  List<WriterSchema> schemas();

  /** The writer schema with this fingerprint, if kept. */
  default Optional<WriterSchema> schema(long fingerprint) {
    return schemas().stream().filter(s -> s.fingerprint() == fingerprint).findFirst();
  }

  /** One consumer's reads of one feature set major ({@code <name>@<major>}): how many, and the last (epoch millis). */
  record Usage(String major, String consumer, long reads, long lastReadMillis) {}

  /**
   * Adds reads of a consumer to a major's usage, keeping the latest last-read time: every replica
   * adds its own, so the usage outlives restarts and covers every replica sharing the store.
   */
  void addUsage(String major, String consumer, long reads, long lastReadMillis);

  /** The usage kept, by major and consumer. */
  List<Usage> usage();

  /**
   * One contract version a replica sharing this store served: its YAML as reviewed, the files it
   * names by relative path (its source schema), and when it was first served. The catalog's version
   * history and its diffs are read from these.
   */
  record ContractVersion(String name, String version, long firstServedMillis, String yaml, Map<String, String> files) {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    public ContractVersion {
      files = Map.copyOf(files);
    }

    /** How the stores keep it: JSON of the time, the YAML and the files. */
    public byte[] toJson() {
      var node = JSON.createObjectNode().put("first_served", firstServedMillis).put("yaml", yaml);
      var f = node.putObject("files");
      files.forEach(f::put);
      try {
        return JSON.writeValueAsBytes(node);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    public static ContractVersion fromJson(String name, String version, byte[] json) {
      try {
        var node = JSON.readTree(json);
        Map<String, String> files = new java.util.LinkedHashMap<>();
        node.path("files").fields().forEachRemaining(e -> files.put(e.getKey(), e.getValue().asText()));
        return new ContractVersion(name, version, node.path("first_served").asLong(), node.path("yaml").asText(), files);
      } catch (java.io.IOException e) {
        throw new IllegalStateException("Cannot read the kept contract " + name + "@" + version + ": " + e.getMessage(), e);
      }
    }
  }

  /** Keeps {@code version} unless this name and version are kept already (the first serving wins). */
  void saveContract(ContractVersion version);

  /** Every contract version kept, in no particular order. */
  List<ContractVersion> contracts();

  /** Deletes every row of {@code topic} and its offsets (a retired major's changelog); returns the rows deleted. */
  long deleteTopic(String topic);

  /** Next offset to read per partition of {@code topic}, as stored with the data. */
  Map<Integer, Long> offsets(String topic);

  @Override
  void close();
}
