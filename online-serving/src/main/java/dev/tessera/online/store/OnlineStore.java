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

  /** Next offset to read per partition of {@code topic}, as stored with the data. */
  Map<Integer, Long> offsets(String topic);

  @Override
  void close();
}
