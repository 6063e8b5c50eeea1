package dev.tessera.online.lookup;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.rows.ChangelogRowReader;
import dev.tessera.contracts.rows.EntityKeys;
import dev.tessera.contracts.rows.MissingReason;
import dev.tessera.contracts.rows.RowValues;
import dev.tessera.contracts.rows.WriterSchemas;
import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.StoredRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Online lookups: the key is encoded exactly as ingest writes the changelog key ({@link
 * EntityKeys}); rows are read with today's contract by Avro schema resolution against the writer
 * schema each row carries ({@link ChangelogRowReader}), so rows written by an earlier minor
 * version read by feature name, and a feature such a row predates is reported missing with its
 * reason, never as a wrong number. TTL is applied at read time: an old value is reported EXPIRED
 * with no numbers, never served stale.
 *
 * <p>{@code
 * FeatureLookup lookup = new FeatureLookup(store, schemas);
 * FeatureLookup.Result r = lookup.lookup(contract, Map.of("customer_id", "c-1"), System.currentTimeMillis());
 * }
 */
public final class FeatureLookup {
  /** Whether a value is served. */
  public enum Status {
    OK,
    MISSING,
    EXPIRED
  }

  /**
   * The values of one feature set for one entity (null values unless OK), the features without a
   * value and why ({@link MissingReason} codes), the row's event time, age and the contract
   * version that wrote it.
   */
  public record Result(Status status, Map<String, Object> values, Map<String, String> missing, Long eventTime, Long ageMs,
      String rowVersion) {
    public Result {
      missing = missing == null ? Map.of() : missing;
    }
  }

  private final OnlineStore store;
  private final WriterSchemas schemas;
  private final Map<String, ChangelogRowReader> readers = new ConcurrentHashMap<>();

  public FeatureLookup(OnlineStore store, WriterSchemas schemas) {
    this.store = store;
    this.schemas = schemas;
  }

  /** The row reader of {@code contract} (today's version as the reader). */
  public ChangelogRowReader reader(FeatureSetContract contract) {
    return readers.computeIfAbsent(contract.id(), id -> new ChangelogRowReader(contract, schemas));
  }

  public Result lookup(FeatureSetContract contract, Map<String, String> keys, long nowMillis) {
    StoredRow row = store.get(contract.changelogTopic(), EntityKeys.encode(contract, keys)).orElse(null);
    return toResult(contract, row, nowMillis);
  }

  /** The stored rows of many entities of one feature set (null where absent), read in one store round trip. */
  public record Rows(FeatureSetContract contract, ChangelogRowReader reader, List<StoredRow> rows, long nowMillis) {
    /** OK, MISSING, or EXPIRED (older than the contract's TTL) for row {@code i}. */
    public Status status(int i) {
      return statusOf(contract, rows.get(i), nowMillis);
    }
  }

  /**
   * Reads many entities of one feature set in one store round trip, in order. A missing or
   * malformed key fails the whole call, naming the entity's index.
   */
  public Rows read(FeatureSetContract contract, List<? extends Map<String, String>> entities, long nowMillis) {
    List<byte[]> keys = new ArrayList<>(entities.size());
    for (int i = 0; i < entities.size(); i++) {
      try {
        keys.add(EntityKeys.encode(contract, entities.get(i)));
      } catch (TesseraException e) {
        throw new TesseraException(e.code(), "entities[" + i + "]: " + e.getMessage(), e);
      }
    }
    return new Rows(contract, reader(contract), store.getAll(contract.changelogTopic(), keys), nowMillis);
  }

  /** Lookups of many entities of one feature set in one store round trip, in order. */
  public List<Result> lookupAll(FeatureSetContract contract, List<? extends Map<String, String>> entities, long nowMillis) {
    Rows rows = read(contract, entities, nowMillis);
    List<Result> out = new ArrayList<>(rows.rows().size());
    for (StoredRow row : rows.rows()) {
      out.add(toResult(contract, row, nowMillis));
    }
    return out;
  }

  static Status statusOf(FeatureSetContract contract, StoredRow row, long nowMillis) {
    if (row == null) {
      return Status.MISSING;
    }
    return contract.ttl() != null && nowMillis - row.eventTime() > contract.ttl().toMillis() ? Status.EXPIRED : Status.OK;
  }

  private Result toResult(FeatureSetContract contract, StoredRow row, long nowMillis) {
    Status status = statusOf(contract, row, nowMillis);
    List<String> names = contract.featureNames();
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, String> missing = new LinkedHashMap<>();
    String version = null;
    if (status == Status.OK) {
      RowValues read = RowValues.read(reader(contract), row.value());
      for (int i = 0; i < names.size(); i++) {
        values.put(names.get(i), read.values()[i]);
      }
      read.missing().forEach((i, reason) -> missing.put(names.get(i), reason.code()));
      version = read.writer() == null ? null : read.writer().version();
    } else {
      names.forEach(n -> values.put(n, null));
    }
    return new Result(status, values, missing, row == null ? null : row.eventTime(), row == null ? null : nowMillis - row.eventTime(), version);
  }
}
