package dev.tessera.contracts.rows;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * The writer schemas a reader knows, by fingerprint. A miss asks the fallback once (e.g. the
 * shared store of a read-only replica), so a schema registered elsewhere is found without a
 * restart. Thread-safe.
 */
public final class WriterSchemas {
  private final Map<Long, WriterSchema> byFingerprint = new ConcurrentHashMap<>();
  private final LongFunction<Optional<WriterSchema>> fallback;

  public WriterSchemas() {
    this(fp -> Optional.empty());
  }

  public WriterSchemas(LongFunction<Optional<WriterSchema>> fallback) {
    this.fallback = fallback;
  }

  /** Knows exactly these schemas (tests, and writers that read their own rows). */
  public static WriterSchemas of(WriterSchema... schemas) {
    WriterSchemas s = new WriterSchemas();
    List.of(schemas).forEach(s::register);
    return s;
  }

  public void register(WriterSchema schema) {
    byFingerprint.putIfAbsent(schema.fingerprint(), schema);
  }

  public Optional<WriterSchema> find(long fingerprint) {
    WriterSchema known = byFingerprint.get(fingerprint);
    if (known != null) {
      return Optional.of(known);
    }
    Optional<WriterSchema> found = fallback.apply(fingerprint);
    found.ifPresent(this::register);
    return found;
  }

  /** Every schema known so far, for the catalog (versions ever written). */
  public Collection<WriterSchema> all() {
    return List.copyOf(byFingerprint.values());
  }
}
