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

  /** Deletes every row of {@code topic} and its offsets (a retired major's changelog); returns the rows deleted. */
  long deleteTopic(String topic);

  /** Next offset to read per partition of {@code topic}, as stored with the data. */
  Map<Integer, Long> offsets(String topic);

  @Override
  void close();
}
