package dev.tessera.offline.snapshot.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.offline.OfflineFixture;
import dev.tessera.offline.snapshot.SnapshotData;
import dev.tessera.offline.snapshot.ProgressListener;
import dev.tessera.offline.snapshot.join.PointInTimeJoin.TableRow;
import dev.tessera.offline.table.FeatureRow;
import dev.tessera.offline.table.FeatureTableWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The columnar reader of sorted data files gives exactly the rows of Iceberg's row reader: the same
 * keys, times and values of the same classes (int, long, double, boolean, string, timestamp, nulls),
 * in the same order, the same rows dropped by the time bounds; and files it cannot read as they
 * are (a column added after they were written) fall back to the row reader.
 */
class ColumnarRunTest {
  static final long T0 = 1_767_225_600_000L; // 2026-01-01
  static final long DAY = 86_400_000L;

  @TempDir Path home;

  /**
   * Batch sizes; cores: 1 reads and merges in the caller's thread, 2 merges ahead on another, 4
   * also decodes ahead; tiny pages and dictionaries: many pages per column, and dictionary pages
   * that fall back to PLAIN part-way through a column (both encodings in one column chunk).
   */
  @ParameterizedTest(name = "batches of {0} rows, {1} cores, tiny pages {2}")
  @CsvSource({"1, 4, false", "7, 1, false", "7, 2, true", "7, 4, false", ColumnarRun.BATCH + ", 2, false", ColumnarRun.BATCH + ", 1, true"})
  void readsTheSameRowsAsIcebergsRowReader(int batchRows, int cores, boolean tinyPages) throws Exception {
    try (OfflineFixture fx = new OfflineFixture(home)) {
      Random r = new Random(7);
      FeatureSetContract profile = fx.contract("customer_profile");
      if (tinyPages) {
        fx.tables.ensure(profile).updateProperties()
            .set(org.apache.iceberg.TableProperties.PARQUET_PAGE_SIZE_BYTES, "256")
            .set(org.apache.iceberg.TableProperties.PARQUET_DICT_SIZE_BYTES, "200")
            .set(org.apache.iceberg.TableProperties.PARQUET_PAGE_ROW_LIMIT, "37").commit();
      }
      for (int batch = 0; batch < 3; batch++) {
        fx.append("customer_profile", rows(profile, 300, 20, r));
      }
      // a column added after those files: they lack it, the file written next has it
      Table table = fx.tables.ensure(profile);
      table.updateSchema().addColumn("score_added_later", Types.LongType.get()).commit();
      fx.append("customer_profile", rows(profile, 300, 20, r));
      table.refresh();

      List<String> features = new ArrayList<>(profile.featureNames());
      List<FeatureType> types = new ArrayList<>(profile.features().stream().map(Feature::type).toList());
      features.add("score_added_later");
      types.add(FeatureType.LONG);
      FeatureSetRead read = new FeatureSetRead("customer_profile", profile.version().toString(), fx.tables.identifier(profile).toString(),
          table.currentSnapshot().snapshotId(), profile.entity().keyNames(), profile.entity().keys().stream().map(k -> k.type()).toList(),
          features, types, DAY);
      long minTs = T0 + 3 * DAY + 7 * 3_600_000L; // the TTL bound drops rows before day 2, 7:00 (within a file)
      long maxTs = T0 + 5 * DAY + 13 * 3_600_000L; // and this bound those after day 5, 13:00

      Path spill = home.resolve("spill");
      java.nio.file.Files.createDirectories(spill);
      PointInTimeJoin columnar = new PointInTimeJoin(fx.catalog, 64 << 20, spill, ProgressListener.NONE).batchRows(batchRows).cores(cores);
      PointInTimeJoin rowReader = new PointInTimeJoin(fx.catalog, 64 << 20, spill, ProgressListener.NONE).rowReaderOnly();
      try (PointInTimeJoin.TableRows a = columnar.readTable(read, minTs, maxTs, 16 << 20);
          PointInTimeJoin.TableRows b = rowReader.readTable(read, minTs, maxTs, 16 << 20)) {
        // one file per day partition and append (4 appends), those of days within the bounds
        assertThat(a.runs).hasSizeGreaterThanOrEqualTo(12);
        assertThat(a.runs.stream().filter(ColumnarRun.class::isInstance)).as("only the files written after the new column")
            .hasSize(a.runs.size() / 4);
        assertThat(b.runs).hasSameSizeAs(a.runs).allMatch(PointInTimeJoin.FileRun.class::isInstance);
        Iterator<TableRow> x = a.sorted();
        Iterator<TableRow> y = b.sorted();
        int n = 0;
        int withNulls = 0;
        while (y.hasNext()) {
          assertThat(x.hasNext()).as("row %d", n).isTrue();
          TableRow got = x.next();
          TableRow want = y.next();
          assertThat(got.key()).as("key of row %d", n).isEqualTo(want.key());
          assertThat(got.time()).as("time of row %d", n).isEqualTo(want.time());
          // written straight from the batch: the bytes of the boxed values' encoding
          java.io.ByteArrayOutputStream direct = new java.io.ByteArrayOutputStream();
          got.writeValues(new java.io.DataOutputStream(direct), types);
          // copied straight from the batch into a match held in slots
          try (Matches match = new Matches(types, 1, 1 << 20, home)) {
            assertThat(match.state()).isEqualTo("slots");
            match.add(0, got);
            Object[] copied = match.inRowOrder().next().values();
            for (int i = 0; i < want.values().length; i++) {
              assertThat(copied[i]).as("value %d of row %d in a slot", i, n).isEqualTo(want.values()[i]);
              if (want.values()[i] != null) {
                assertThat(copied[i]).isExactlyInstanceOf(want.values()[i].getClass());
              }
            }
          }
          Object[] gv = got.values();
          Object[] wv = want.values();
          java.io.ByteArrayOutputStream boxed = new java.io.ByteArrayOutputStream();
          FeatureValueCodec.write(new java.io.DataOutputStream(boxed), wv, types);
          assertThat(direct.toByteArray()).as("encoded values of row %d", n).isEqualTo(boxed.toByteArray());
          assertThat(gv).as("values of row %d", n).hasSameSizeAs(wv);
          for (int i = 0; i < wv.length; i++) {
            assertThat(gv[i]).as("value %d of row %d", i, n).isEqualTo(wv[i]);
            if (wv[i] != null) {
              assertThat(gv[i]).isExactlyInstanceOf(wv[i].getClass());
            } else {
              withNulls++;
            }
          }
          assertThat(got.time()).isBetween(minTs - DAY, maxTs);
          n++;
        }
        assertThat(x.hasNext()).isFalse();
        assertThat(n).as("rows kept by the bounds").isGreaterThan(1000);
        assertThat(withNulls).isGreaterThan(0);
      }
    }
  }

  /**
   * The merge gives each batch back to its file once its rows are consumed (the row the join still
   * holds keeps its values), and the files decode into them again: with tiny batches, on every
   * thread arrangement, the matches equal those of Iceberg's row reader compared by key text.
   */
  @ParameterizedTest(name = "batches of {0} rows, {1} cores, accented keys: {2}")
  @CsvSource({"7, 1, none", "7, 2, none", "3, 4, none", ColumnarRun.BATCH + ", 2, none", "7, 2, table", "7, 2, both"})
  void mergeReusingBatchesGivesTheRowReadersMatches(int batchRows, int cores, String accented) throws Exception {
    try (OfflineFixture fx = new OfflineFixture(home)) {
      Random r = new Random(13);
      FeatureSetContract profile = fx.contract("customer_profile");
      // accented keys (non-ASCII): in the table only (ASCII spine keys, ranked from the bytes; these rows have no
      // spine row) or in both (the spine's keys are not all ASCII: ranked from the keys' text)
      java.util.function.UnaryOperator<String> accent = k -> Integer.parseInt(k.substring(2)) % 5 == 0 ? k + "\u00e9\uD83D\uDE00" : k;
      for (int batch = 0; batch < 3; batch++) {
        List<FeatureRow> rows = rows(profile, 300, 20, r);
        if (!accented.equals("none")) {
          rows = rows.stream().map(f -> new FeatureRow(new Object[] {accent.apply((String) f.keys()[0])}, f.values(), f.eventTime())).toList();
        }
        fx.append("customer_profile", rows);
      }
      Table table = fx.tables.ensure(profile);
      table.refresh();
      FeatureSetRead read = profileRead(fx, profile, table, DAY);
      List<Object[]> spineRows = new ArrayList<>();
      for (int i = 0; i < 6_000; i++) {
        String key = "c-" + r.nextInt(330);
        spineRows.add(new Object[] {accented.equals("both") ? accent.apply(key) : key, T0 + (long) (r.nextDouble() * 9 * DAY)});
      }
      Path spill = java.nio.file.Files.createDirectories(home.resolve("spill"));
      PointInTimeJoin columnar = new PointInTimeJoin(fx.catalog, 64 << 20, spill, ProgressListener.NONE).batchRows(batchRows).cores(cores);
      PointInTimeJoin rowReader = new PointInTimeJoin(fx.catalog, 64 << 20, spill, ProgressListener.NONE).rowReaderOnly().cores(1);
      List<Object[]> got = matches(columnar, read, spineRows, true, spill);
      try (SpineKeys spine = new SpineKeys(16 << 20, spill)) {
        spineRows.forEach(row -> spine.add((String) row[0], (Long) row[1], 0));
        assertThat(spine.ranks().walk().ranksBytes()).as("ranked from the keys' bytes").isEqualTo(!accented.equals("both"));
      }
      List<Object[]> want = matches(rowReader, read, spineRows, false, spill);
      assertThat(want.stream().filter(m -> m != null).count()).isGreaterThan(3_000);
      for (int i = 0; i < want.size(); i++) {
        assertThat(got.get(i)).as("match of spine row %d", i).isEqualTo(want.get(i));
      }
    }
  }

  /** Each spine row's matched values (null: none), by the join's merge, ranked by the spine's keys or not. */
  private static List<Object[]> matches(PointInTimeJoin join, FeatureSetRead read, List<Object[]> spineRows, boolean ranked, Path spill) {
    long minTs = spineRows.stream().mapToLong(row -> (Long) row[1]).min().orElseThrow();
    long maxTs = spineRows.stream().mapToLong(row -> (Long) row[1]).max().orElseThrow();
    try (SpineKeys spine = new SpineKeys(16 << 20, spill)) {
      for (int i = 0; i < spineRows.size(); i++) {
        spine.add((String) spineRows.get(i)[0], (Long) spineRows.get(i)[1], i);
      }
      try (PointInTimeJoin.TableRows table = join.readTable(read, minTs, maxTs, 16 << 20, ranked ? spine.ranks() : null);
          Matches found = new Matches(read.featureTypes(), spineRows.size(), 16 << 20, spill)) {
        assertThat(table.runs).allMatch(run -> ranked == (run instanceof ColumnarRun));
        PointInTimeJoin.merge(spine.sorted(), table.sorted(), read.ttlMillis(), found, ranked);
        List<Object[]> out = new ArrayList<>(java.util.Collections.nCopies(spineRows.size(), null));
        found.inRowOrder().forEachRemaining(m -> out.set((int) m.idx(), m.values()));
        return out;
      }
    }
  }

  /**
   * Ranked by a spine's keys, every reader (columnar, Iceberg's row reader, the external sorter for
   * files not written sorted) gives the unranked rows minus those of keys no spine row has, in
   * the same order, each with its key's rank.
   */
  @ParameterizedTest(name = "columnar {0}")
  @ValueSource(booleans = {true, false})
  void rankedReadsDropKeysTheSpineLacks(boolean columnarReads) throws Exception {
    try (OfflineFixture fx = new OfflineFixture(home)) {
      Random r = new Random(11);
      FeatureSetContract profile = fx.contract("customer_profile");
      List<FeatureRow> first = rows(profile, 200, 10, r);
      List<FeatureRow> second = rows(profile, 200, 10, r);
      fx.append("customer_profile", first);
      fx.append("customer_profile", second);
      List<FeatureRow> arrival = rows(profile, 200, 5, r);
      java.util.Collections.shuffle(arrival, r);
      fx.appendInArrivalOrder("customer_profile", arrival); // not marked sorted: through the sorter
      Table table = fx.tables.ensure(profile);
      table.refresh();
      FeatureSetRead read = profileRead(fx, profile, table, null);
      Path spill = java.nio.file.Files.createDirectories(home.resolve("spill"));
      SpineKeys spine = new SpineKeys(16 << 20, spill);
      java.util.Set<String> spineKeys = new java.util.HashSet<>();
      long entry = 0;
      for (int k = 0; k < 260; k++) {
        if (k % 3 != 0) { // a third of the table's keys are not in the spine; c-200.. are not in the table
          spine.add("c-" + k, T0, entry++);
          spineKeys.add("c-" + k);
        }
      }
      for (FeatureRow row : java.util.stream.Stream.concat(first.stream(), second.stream()).toList()) {
        if (spineKeys.contains((String) row.keys()[0])) { // a spine row at each row's time: every row is seen by one
          spine.add((String) row.keys()[0], row.eventTime(), entry++);
        }
      }
      SpineKeys.KeyRanks ranks = spine.ranks();
      PointInTimeJoin join = new PointInTimeJoin(fx.catalog, 64 << 20, spill, ProgressListener.NONE).batchRows(5).cores(2);
      if (!columnarReads) {
        join.rowReaderOnly();
      }
      long from = T0 - DAY;
      long to = T0 + 10 * DAY;
      List<TableRow> want = new ArrayList<>();
      try (PointInTimeJoin.TableRows all = join.readTable(read, from, to, 16 << 20)) {
        assertThat(all.runs).hasSizeGreaterThanOrEqualTo(8).allMatch(run -> columnarReads == (run instanceof ColumnarRun)); // per day and append
        all.sorted().forEachRemaining(row -> {
          if (spineKeys.contains(row.key())) {
            want.add(row);
          }
        });
      }
      List<TableRow> got = new ArrayList<>();
      try (PointInTimeJoin.TableRows ranked = join.readTable(read, from, to, 16 << 20, ranks)) {
        ranked.sorted().forEachRemaining(got::add);
      }
      assertThat(want.size()).isGreaterThan(500);
      assertThat(got).hasSameSizeAs(want);
      for (int i = 0; i < got.size(); i++) {
        assertThat(got.get(i).key()).as("key of row %d", i).isEqualTo(want.get(i).key());
        assertThat(got.get(i).time()).as("time of row %d", i).isEqualTo(want.get(i).time());
        assertThat(got.get(i).values()).as("values of row %d", i).containsExactly(want.get(i).values());
        assertThat(got.get(i).rank).as("rank of row %d", i).isEqualTo(ranks.rank(got.get(i).key())).isNotNegative();
      }
      spine.close();
    }
  }

  /** Ranked, a sorted file's rows that no spine row can see (a later row of the key in the file comes first) are not read out at all. */
  @org.junit.jupiter.api.Test
  void rankedColumnarReadsDropRowsNoSpineRowCanSee() throws Exception {
    try (OfflineFixture fx = new OfflineFixture(home)) {
      FeatureSetContract profile = fx.contract("customer_profile");
      List<FeatureRow> rows = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        for (int h = 0; h < 10; h++) { // c-k at 00:00 .. 09:00 on the first day
          rows.add(new FeatureRow(new Object[] {"c-" + k}, profile.features().stream().map(f -> (Object) null).toArray(), T0 + h * 3_600_000L));
        }
      }
      fx.append("customer_profile", rows);
      Table table = fx.tables.ensure(profile);
      table.refresh();
      FeatureSetRead read = profileRead(fx, profile, table, null);
      Path spill = java.nio.file.Files.createDirectories(home.resolve("spill"));
      SpineKeys spine = new SpineKeys(16 << 20, spill);
      spine.add("c-0", T0 + 2 * 3_600_000L + 1, 0); // sees 02:00
      spine.add("c-0", T0 + 3 * 3_600_000L, 1); // sees 03:00 (equal time)
      spine.add("c-0", T0 + 3 * 3_600_000L + 5, 2); // sees 03:00 again
      spine.add("c-1", T0 + 20 * 3_600_000L, 3); // sees 09:00, the last
      spine.add("c-2", T0 - 1, 4); // sees nothing
      PointInTimeJoin join = new PointInTimeJoin(fx.catalog, 64 << 20, spill, ProgressListener.NONE).batchRows(4).cores(1);
      List<String> got = new ArrayList<>();
      try (PointInTimeJoin.TableRows ranked = join.readTable(read, T0 - 1, T0 + 20 * 3_600_000L, 16 << 20, spine.ranks())) {
        assertThat(ranked.runs).hasSize(1).allMatch(ColumnarRun.class::isInstance);
        ranked.sorted().forEachRemaining(row -> got.add(row.key() + "@" + (row.time() - T0) / 3_600_000L));
      }
      // the answers (c-0@2, c-0@3, c-1@9), and the last row of a batch of 4 that a spine row may see: it is not compared
      // with the key's next row, in the next batch (c-1@1, c-1@5); c-0 after 03:00 and all of c-2 come before no spine row
      assertThat(got).containsExactly("c-0@2", "c-0@3", "c-1@1", "c-1@5", "c-1@9");
      spine.close();
    }
  }

  @ParameterizedTest(name = "columnar {0}, ranked {1}")
  @CsvSource({"true, false", "false, false", "true, true", "false, true"})
  void aFileMarkedSortedThatIsNotStopsTheJoin(boolean columnarReads, boolean ranked) throws Exception {
    try (OfflineFixture fx = new OfflineFixture(home)) {
      FeatureSetContract profile = fx.contract("customer_profile");
      Table table = fx.tables.ensure(profile);
      List<org.apache.iceberg.data.Record> records = new ArrayList<>();
      for (int k = 0; k < 50; k++) {
        org.apache.iceberg.data.GenericRecord rec = org.apache.iceberg.data.GenericRecord.create(table.schema());
        rec.setField("customer_id", "c-" + k);
        rec.setField("event_time", java.time.OffsetDateTime.of(2026, 1, 2, 0, 0, 0, 0, java.time.ZoneOffset.UTC).plusMinutes(k));
        records.add(rec);
      }
      // keys descending, yet marked with the table's (key, event_time) order
      FeatureTableWriter.append(table, records, (a, b) -> ((String) b.getField("customer_id")).compareTo((String) a.getField("customer_id")),
          table.sortOrder());
      table.refresh();
      FeatureSetRead read = profileRead(fx, profile, table, null);
      Path spill = java.nio.file.Files.createDirectories(home.resolve("spill"));
      PointInTimeJoin join = new PointInTimeJoin(fx.catalog, 64 << 20, spill, ProgressListener.NONE).batchRows(7).cores(4);
      if (!columnarReads) {
        join.rowReaderOnly();
      }
      SpineKeys spine = new SpineKeys(16 << 20, spill);
      for (int k = 0; k < 50; k++) {
        spine.add("c-" + k, T0 + 10 * DAY, k);
      }
      try (spine; PointInTimeJoin.TableRows rows = join.readTable(read, T0, T0 + 10 * DAY, 16 << 20, ranked ? spine.ranks() : null)) {
        assertThat(rows.runs).hasSize(1).allMatch(r -> columnarReads == (r instanceof ColumnarRun));
        assertThatThrownBy(() -> rows.sorted().forEachRemaining(r -> { }))
            .isInstanceOf(dev.tessera.errors.TesseraException.class)
            .hasMessageContaining("is marked sorted by (key, event_time) but is not (c-9 at ");
      }
    }
  }

  /** customer_profile's features at the table's current snapshot, with a TTL (ms) or none. */
  static FeatureSetRead profileRead(OfflineFixture fx, FeatureSetContract profile, Table table, Long ttl) {
    return new FeatureSetRead("customer_profile", profile.version().toString(), fx.tables.identifier(profile).toString(),
        table.currentSnapshot().snapshotId(), profile.entity().keyNames(), profile.entity().keys().stream().map(k -> k.type()).toList(),
        profile.featureNames(), profile.features().stream().map(Feature::type).toList(), ttl);
  }

  /** Random rows over {@code keys} keys, times over 8 days, every feature type, a tenth of the values null. */
  static List<FeatureRow> rows(FeatureSetContract c, int keys, int perKey, Random r) {
    List<FeatureRow> out = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      for (int i = 0; i < r.nextInt(perKey); i++) {
        Object[] values = c.features().stream().map(Feature::type).map(t -> SnapshotData.randomValue(t, r)).toArray();
        out.add(new FeatureRow(new Object[] {"c-" + k}, values, T0 + (long) (r.nextDouble() * 8 * DAY)));
      }
    }
    return out;
  }
}
