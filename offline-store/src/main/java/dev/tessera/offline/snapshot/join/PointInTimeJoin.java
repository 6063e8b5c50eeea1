package dev.tessera.offline.snapshot.join;

import dev.tessera.offline.snapshot.ProgressListener;
import dev.tessera.offline.snapshot.SnapshotOutput;
import dev.tessera.offline.snapshot.spine.Spine;
import dev.tessera.offline.snapshot.spine.SpineValues;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.errors.TesseraException;
import dev.tessera.offline.table.IcebergValues;
import dev.tessera.offline.sort.ExternalSorter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;

/**
 * The point-in-time join, as a streaming sort-merge with bounded memory. For each spine row
 * {@code (keys, ts)} and each feature set, it takes the latest offline row of that key with
 * {@code event_time <= ts}, and nulls when there is none or it is older than the TTL
 * ({@code ts - event_time > ttl}). Nothing from after {@code ts} can leak in.
 *
 * <p>Per feature set: the spine's (key, ts, row index) and the table's rows are each sorted by
 * key and time with an {@link ExternalSorter}, merged in one pass, and the matches sorted back by
 * row index. A second pass over the spine zips them into output rows in spine order. Memory is
 * bounded by the sort buffer; the spine and tables are never held whole.
 */
public final class PointInTimeJoin {
  private final Catalog catalog;
  private final long sortBuffer;
  private final Path spillDir;
  private final ProgressListener progress;

  public PointInTimeJoin(Catalog catalog, long sortBuffer, Path spillDir, ProgressListener progress) {
    this.catalog = catalog;
    this.sortBuffer = sortBuffer;
    this.spillDir = spillDir;
    this.progress = progress;
  }

  record SpineKey(String key, long ts, long idx) {}

  record TableRow(String key, long time, Object[] values) {}

  record Match(long idx, Object[] values) {}

  /** Joins and writes every spine row; returns the row count. */
  public long run(Spine spine, String timeColumn, List<FeatureSetRead> reads, SnapshotOutput out) {
    int timeIdx = timeIndex(spine, timeColumn);
    List<int[]> keyIdx = keyIndexes(spine, reads);
    long budget = sortBuffer / (reads.size() + 2);
    List<ExternalSorter<SpineKey>> spineSorters = new ArrayList<>();
    reads.forEach(r -> spineSorters.add(new ExternalSorter<>(SPINE_CODEC,
        Comparator.comparing(SpineKey::key).thenComparingLong(SpineKey::ts).thenComparingLong(SpineKey::idx), budget, spillDir)));
    long rows = 0;
    long minTs = Long.MAX_VALUE;
    long maxTs = Long.MIN_VALUE;
    try (CloseableIterable<Object[]> it = spine.rows()) {
      for (Object[] row : it) {
        long ts = SpineValues.toMillis(row[timeIdx], timeColumn, rows + 1);
        minTs = Math.min(minTs, ts);
        maxTs = Math.max(maxTs, ts);
        for (int f = 0; f < reads.size(); f++) {
          String key = key(row, keyIdx.get(f), reads.get(f), rows + 1);
          if (key != null) {
            spineSorters.get(f).add(new SpineKey(key, ts, rows));
          }
        }
        rows++;
        if (rows % 100_000 == 0) {
          progress.update("reading spine", rows, -1);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    progress.update("reading spine", rows, rows);

    List<ExternalSorter<Match>> matches = new ArrayList<>();
    try {
      for (int f = 0; f < reads.size(); f++) {
        FeatureSetRead read = reads.get(f);
        try (ExternalSorter<SpineKey> spineKeys = spineSorters.get(f);
            ExternalSorter<TableRow> tableRows = readTable(read, minTs, maxTs, budget)) {
          ExternalSorter<Match> found = new ExternalSorter<>(matchCodec(read.featureTypes()),
              Comparator.comparingLong(Match::idx), budget, spillDir);
          matches.add(found);
          merge(spineKeys.sorted(), tableRows.sorted(), read.ttlMillis(), found);
          progress.update("joined " + read.featureSet(), f + 1, reads.size());
        }
      }
      writeInSpineOrder(spine, reads, matches, rows, out);
    } finally {
      matches.forEach(ExternalSorter::close);
      spineSorters.forEach(ExternalSorter::close);
    }
    return rows;
  }

  static int timeIndex(Spine spine, String timeColumn) {
    int timeIdx = spine.indexOf(timeColumn);
    if (timeIdx < 0) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot use time column '" + timeColumn
          + "': the spine has no such column (columns: " + columnNames(spine) + ")");
    }
    return timeIdx;
  }

  static List<int[]> keyIndexes(Spine spine, List<FeatureSetRead> reads) {
    List<int[]> keyIdx = new ArrayList<>();
    for (FeatureSetRead read : reads) {
      int[] idx = new int[read.keyColumns().size()];
      for (int k = 0; k < idx.length; k++) {
        idx[k] = spine.indexOf(read.keyColumns().get(k));
        if (idx[k] < 0) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot join " + read.featureSet() + ": the spine has no key column '"
              + read.keyColumns().get(k) + "' (columns: " + columnNames(spine) + ")");
        }
      }
      keyIdx.add(idx);
    }
    return keyIdx;
  }

  private ExternalSorter<TableRow> readTable(FeatureSetRead read, long minTs, long maxTs, long budget) {
    ExternalSorter<TableRow> sorter = new ExternalSorter<>(tableCodec(read.featureTypes()),
        Comparator.comparing(TableRow::key).thenComparingLong(TableRow::time), budget, spillDir);
    if (read.snapshotId() == null || minTs > maxTs) {
      return sorter;
    }
    Table table = catalog.loadTable(TableIdentifier.parse(read.table()));
    if (table.snapshot(read.snapshotId()) == null) {
      throw new TesseraException(ErrorCode.NOT_FOUND, "Cannot read " + read.table() + " at snapshot " + read.snapshotId()
          + ": the snapshot no longer exists (expired); this snapshot cannot be replayed");
    }
    String time = FeatureSetContract.EVENT_TIME_COLUMN;
    // only rows that some spine row can see: not after the last ts, not expired before the first
    Expression filter = Expressions.lessThanOrEqual(time, maxTs * 1000);
    if (read.ttlMillis() != null) {
      filter = Expressions.and(filter, Expressions.greaterThanOrEqual(time, (minTs - read.ttlMillis()) * 1000));
    }
    List<String> columns = new ArrayList<>(read.keyColumns());
    columns.addAll(read.features());
    columns.add(time);
    long n = 0;
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(read.snapshotId())
        .select(columns).where(filter).build()) {
      for (Record r : records) {
        TableRow row = tableRow(read, r);
        if (row != null) {
          sorter.add(row);
        }
        if (++n % 500_000 == 0) {
          progress.update("reading " + read.table(), n, -1);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (IllegalArgumentException e) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read " + columns + " from " + read.table()
          + " at snapshot " + read.snapshotId() + ": " + e.getMessage(), e);
    }
    progress.update("reading " + read.table(), n, n);
    return sorter;
  }

  /** A table record as a join row; null when a key column is null. */
  static TableRow tableRow(FeatureSetRead read, Record r) {
    StringBuilder key = new StringBuilder();
    for (int k = 0; k < read.keyColumns().size(); k++) {
      String part = SpineValues.keyPart(r.getField(read.keyColumns().get(k)), read.keyTypes().get(k), read.keyColumns().get(k), -1);
      if (part == null) {
        return null;
      }
      appendKeyPart(key, k, part);
    }
    Object[] values = new Object[read.features().size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = read.featureTypes().get(i).coerce(IcebergValues.fromIceberg(r.getField(read.features().get(i))));
    }
    long eventTime = (Long) IcebergValues.fromIceberg(r.getField(FeatureSetContract.EVENT_TIME_COLUMN));
    return new TableRow(key.toString(), eventTime, values);
  }

  /** The sort-merge: both inputs sorted by (key, time); each key's rows through {@link AsOf}. */
  static void merge(Iterator<SpineKey> spine, Iterator<TableRow> rows, Long ttl, ExternalSorter<Match> out) {
    AsOf<TableRow> asOf = new AsOf<>(ttl, TableRow::time);
    String key = null;
    TableRow next = rows.hasNext() ? rows.next() : null;
    while (spine.hasNext()) {
      SpineKey s = spine.next();
      if (!s.key().equals(key)) {
        asOf.reset();
        key = s.key();
      }
      while (next != null) {
        int c = next.key().compareTo(s.key());
        if (c < 0 || (c == 0 && asOf.notAfter(next, s.ts()))) {
          if (c == 0) {
            asOf.offer(next);
          }
          next = rows.hasNext() ? rows.next() : null;
        } else {
          break;
        }
      }
      TableRow match = asOf.answer(s.ts());
      if (match != null) {
        out.add(new Match(s.idx(), match.values()));
      }
    }
  }

  void writeInSpineOrder(Spine spine, List<FeatureSetRead> reads, List<ExternalSorter<Match>> matches, long rows, SnapshotOutput out) {
    List<Iterator<Match>> its = matches.stream().map(ExternalSorter::sorted).toList();
    Match[] heads = new Match[its.size()];
    for (int f = 0; f < heads.length; f++) {
      heads[f] = its.get(f).hasNext() ? its.get(f).next() : null;
    }
    int spineWidth = spine.columns().size();
    int width = spineWidth + reads.stream().mapToInt(r -> r.features().size()).sum();
    long idx = 0;
    try (CloseableIterable<Object[]> it = spine.rows()) {
      for (Object[] row : it) {
        Object[] outRow = new Object[width];
        System.arraycopy(row, 0, outRow, 0, spineWidth);
        int pos = spineWidth;
        for (int f = 0; f < heads.length; f++) {
          int n = reads.get(f).features().size();
          if (heads[f] != null && heads[f].idx() == idx) {
            System.arraycopy(heads[f].values(), 0, outRow, pos, n);
            heads[f] = its.get(f).hasNext() ? its.get(f).next() : null;
          }
          pos += n;
        }
        out.write(outRow);
        idx++;
        if (idx % 100_000 == 0) {
          progress.update("writing", idx, rows);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (idx != rows) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "Cannot finish the snapshot: the spine changed while it was read (" + rows + " rows, then " + idx + ")");
    }
    progress.update("writing", idx, rows);
  }

  static String key(Object[] row, int[] idx, FeatureSetRead read, long rowNumber) {
    StringBuilder key = new StringBuilder();
    for (int k = 0; k < idx.length; k++) {
      String part = SpineValues.keyPart(row[idx[k]], read.keyTypes().get(k), read.keyColumns().get(k), rowNumber);
      if (part == null) {
        return null;
      }
      appendKeyPart(key, k, part);
    }
    return key.toString();
  }

  private static void appendKeyPart(StringBuilder key, int k, String part) {
    if (k > 0) {
      key.append(dev.tessera.contracts.rows.EntityKeys.TEXT_SEPARATOR); // the one text form of a key
    }
    if (part != null) {
      key.append(part);
    }
  }

  private static String columnNames(Spine spine) {
    return String.join(", ", spine.columns().stream().map(Spine.Column::name).toList());
  }

  static final ExternalSorter.Codec<SpineKey> SPINE_CODEC = new ExternalSorter.Codec<>() {
    @Override
    public void write(DataOutputStream out, SpineKey v) throws IOException {
      FeatureValueCodec.writeString(out, v.key());
      out.writeLong(v.ts());
      out.writeLong(v.idx());
    }

    @Override
    public SpineKey read(DataInputStream in) throws IOException {
      return new SpineKey(FeatureValueCodec.readString(in), in.readLong(), in.readLong());
    }

    @Override
    public long estimatedBytes(SpineKey v) {
      return 80 + 2L * v.key().length();
    }
  };

  static ExternalSorter.Codec<TableRow> tableCodec(List<FeatureType> types) {
    return new ExternalSorter.Codec<>() {
      @Override
      public void write(DataOutputStream out, TableRow v) throws IOException {
        FeatureValueCodec.writeString(out, v.key());
        out.writeLong(v.time());
        FeatureValueCodec.write(out, v.values(), types);
      }

      @Override
      public TableRow read(DataInputStream in) throws IOException {
        return new TableRow(FeatureValueCodec.readString(in), in.readLong(), FeatureValueCodec.read(in, types));
      }

      @Override
      public long estimatedBytes(TableRow v) {
        return 64 + 2L * v.key().length() + FeatureValueCodec.estimate(v.values());
      }
    };
  }

  static ExternalSorter.Codec<Match> matchCodec(List<FeatureType> types) {
    return new ExternalSorter.Codec<>() {
      @Override
      public void write(DataOutputStream out, Match v) throws IOException {
        out.writeLong(v.idx());
        FeatureValueCodec.write(out, v.values(), types);
      }

      @Override
      public Match read(DataInputStream in) throws IOException {
        return new Match(in.readLong(), FeatureValueCodec.read(in, types));
      }

      @Override
      public long estimatedBytes(Match v) {
        return 40 + FeatureValueCodec.estimate(v.values());
      }
    };
  }
}
