package dev.tessera.offline.history;

import dev.tessera.contracts.model.EntityKey;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.rows.EntityKeys;
import dev.tessera.errors.TesseraException;
import dev.tessera.offline.table.FeatureTables;
import dev.tessera.offline.table.IcebergValues;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/** The offline rows of one entity key, oldest first: what a feature set looked like over time. */
public final class FeatureHistory {
  private final FeatureTables tables;

  public FeatureHistory(FeatureTables tables) {
    this.tables = tables;
  }

  /**
   * Rows of {@code key} (entity key name to value) with event time in {@code [from, to]} (epoch
   * millis, null = open), as column name to value; timestamps as epoch millis.
   */
  public List<Map<String, Object>> rows(FeatureSetContract contract, Map<String, String> key, Long from, Long to, int limit) {
    List<String> missing = contract.entity().keyNames().stream().filter(k -> !key.containsKey(k)).toList();
    List<String> unknown = key.keySet().stream().filter(k -> !contract.entity().keyNames().contains(k)).toList();
    if (!missing.isEmpty() || !unknown.isEmpty()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot look up " + contract.name() + " by " + key.keySet()
          + ": expected exactly its key " + contract.entity().keyNames() + (missing.isEmpty() ? "" : ", missing " + missing)
          + (unknown.isEmpty() ? "" : ", unknown " + unknown));
    }
    Table table = tables.load(contract);
    if (table.currentSnapshot() == null) {
      return List.of();
    }
    Expression filter = Expressions.alwaysTrue();
    for (EntityKey k : contract.entity().keys()) {
      filter = Expressions.and(filter, Expressions.equal(k.name(), typed(k, key.get(k.name()))));
    }
    String time = FeatureSetContract.EVENT_TIME_COLUMN;
    if (from != null) {
      filter = Expressions.and(filter, Expressions.greaterThanOrEqual(time, from * 1000));
    }
    if (to != null) {
      filter = Expressions.and(filter, Expressions.lessThanOrEqual(time, to * 1000));
    }
    List<Map<String, Object>> out = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).where(filter).build()) {
      for (Record r : records) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (Types.NestedField f : table.schema().columns()) {
          row.put(f.name(), IcebergValues.fromIceberg(r.getField(f.name())));
        }
        out.add(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(Comparator.comparingLong(r -> (Long) r.get(time)));
    return out.size() > limit ? out.subList(out.size() - limit, out.size()) : out;
  }

  /**
   * The latest row (highest event time) of every key of {@code contract}'s table, keyed by the key
   * values joined with '|' in key order; a full scan (what {@code tessera audit} compares with).
   */
  public Map<String, Map<String, Object>> latest(FeatureSetContract contract) {
    Table table = tables.load(contract);
    Map<String, Map<String, Object>> out = new java.util.HashMap<>();
    if (table.currentSnapshot() == null) {
      return out;
    }
    String time = FeatureSetContract.EVENT_TIME_COLUMN;
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record r : records) {
        String key = EntityKeys.text(contract.entity().keys().stream().map(k -> r.getField(k.name())).toArray());
        Map<String, Object> row = new LinkedHashMap<>();
        for (Types.NestedField f : table.schema().columns()) {
          row.put(f.name(), IcebergValues.fromIceberg(r.getField(f.name())));
        }
        out.merge(key, row, (a, b) -> (Long) b.get(time) > (Long) a.get(time) ? b : a);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static Object typed(EntityKey key, String value) {
    try {
      return key.type().parse(value);
    } catch (NumberFormatException e) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "Cannot use '" + value + "' as key " + key.name() + ": expected an integer (" + key.type() + ")");
    }
  }
}
