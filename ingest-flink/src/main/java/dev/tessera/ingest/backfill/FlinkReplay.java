package dev.tessera.ingest.backfill;

import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.rows.ChangelogRowWriter;
import dev.tessera.contracts.rows.EntityKeys;
import dev.tessera.config.IngestOptions;
import dev.tessera.ingest.decode.LatenessRule;
import dev.tessera.ingest.decode.RejectReason;
import dev.tessera.ingest.window.FeatureWindows;
import dev.tessera.ingest.window.KeyStateCodec;
import dev.tessera.ingest.window.ValueArrayCodec;
import dev.tessera.offline.FlinkClusters;
import dev.tessera.offline.catalog.Catalogs;
import dev.tessera.offline.sort.ExternalSorter;
import dev.tessera.offline.table.FeatureRow;
import dev.tessera.offline.table.FeatureTableOverwrite;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.functions.RichMapPartitionFunction;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.SerializableTable;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.parquet.Parquet;

/**
 * The backfill's replay as a Flink batch job, for archives larger than one machine wants to sort.
 * It uses the batch runtime's sorted keyed inputs, which order each key's records by timestamp:
 *
 * <pre>
 * archive data files (one task per file split)
 *   -> keyed by source partition, timestamp = offset: {@link Replay} in source order
 *        --side: per-partition stats (latest event time, earliest accepted, counts) --> broadcast
 *   -> keyed by entity key, timestamp = event time (ties in arrival order): {@link KeyReplay},
 *      with the cut and range from the broadcast stats (the batch runtime reads broadcast inputs first)
 *        --side: each key's state and latest row --> client
 *   -> final rows in the range -> Parquet data files per task --> client
 * </pre>
 *
 * The client receives the stats, key ends and data files, and hands them to the same {@link
 * ReplayOutput} as the local engine: one overwrite snapshot, the state file, the latest values.
 */
final class FlinkReplay {
  private static final TypeInformation<Tuple3<String, Long, byte[]>> KEYED =
      Types.TUPLE(Types.STRING, Types.LONG, Types.PRIMITIVE_ARRAY(Types.BYTE));
  private static final TypeInformation<Tuple2<Byte, byte[]>> PART = Types.TUPLE(Types.BYTE, Types.PRIMITIVE_ARRAY(Types.BYTE));
  private static final OutputTag<PartitionStats> STATS = new OutputTag<>("stats", TypeInformation.of(PartitionStats.class));
  private static final OutputTag<Tuple2<Byte, byte[]>> KEY_ENDS = new OutputTag<>("key-ends", PART);
  private static final MapStateDescriptor<String, PartitionStats> BROADCAST =
      new MapStateDescriptor<>("partition-stats", Types.STRING, TypeInformation.of(PartitionStats.class));
  private static final byte STATS_PART = 0;
  private static final byte KEY_PART = 1;
  private static final byte FILE_PART = 2;

  /** What pass 1 learned of one source partition. Public fields: a Flink POJO. */
  public static final class PartitionStats {
    public String partition;
    public long archived;
    public long accepted;
    public long duplicates;
    public long[] rejected = new long[RejectReason.values().length];
    /** The latest event time seen (Long.MIN_VALUE: none). */
    public long maxSeen = Long.MIN_VALUE;
    /** The earliest accepted event time (Long.MAX_VALUE: none). */
    public long minAccepted = Long.MAX_VALUE;

    public PartitionStats() {}
  }

  /** One data-file split of the archive. Public fields: a Flink POJO. */
  public static final class FileTask {
    public String location;
    public long start;
    public long length;

    public FileTask() {}

    FileTask(String location, long start, long length) {
      this.location = location;
      this.start = start;
      this.length = length;
    }
  }

  private FlinkReplay() {}

  static Backfill.Replayed run(TesseraConfig config, Table archive, Table table, Backfill.Request request, long epoch, ReplayOutput out,
      Consumer<String> progress) throws IOException {
    FeatureSetContract contract = request.contract();
    List<FileTask> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = archive.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty() || task.file().format() != FileFormat.PARQUET) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read " + archive.name() + " on Flink: file "
              + task.file().location() + " has delete files or is not Parquet (use --engine local)");
        }
        files.add(new FileTask(task.file().location(), task.start(), task.length()));
      }
    }
    boolean withState = out.withState();
    if (files.isEmpty()) {
      // Flink's collection source cannot be empty; an empty archive replays to nothing
      Backfill.Range range = Backfill.Range.of(request.from(), request.to(), withState, Long.MAX_VALUE, Long.MAX_VALUE - 1);
      out.range(range);
      return new Backfill.Replayed(0, 0, 0, Map.of(), 0, Long.MAX_VALUE - 1, range);
    }
    StreamExecutionEnvironment env = FlinkClusters.environment(config, config.get(IngestOptions.PARALLELISM), new Configuration());
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    progress.accept(String.format("flink: replaying %,d data files of %s with parallelism %d", files.size(), archive.name(),
        env.getParallelism()));

    DataStream<Tuple3<String, Long, byte[]>> archived = env.fromData(files).name("archive files").rebalance()
        .flatMap(new ReadArchive(Catalogs.properties(config), SchemaParser.toJson(archive.schema()), contract)).returns(KEYED)
        .name("read archive");
    SingleOutputStreamOperator<Tuple3<String, Long, byte[]>> accepted = archived
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Tuple3<String, Long, byte[]>>noWatermarks().withTimestampAssigner((e, ts) -> e.f1))
        .keyBy(e -> e.f0, Types.STRING)
        .process(new ReplayPartition(contract)).returns(KEYED).name("validate and lateness, per source partition");
    DataStream<PartitionStats> stats = accepted.getSideOutput(STATS);
    SingleOutputStreamOperator<byte[]> rows = accepted
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Tuple3<String, Long, byte[]>>noWatermarks().withTimestampAssigner((e, ts) -> e.f1))
        .keyBy(e -> e.f0, Types.STRING)
        .connect(stats.broadcast(BROADCAST))
        .process(new ReplayKey(contract, request.from(), request.to(), withState, epoch))
        .returns(org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO).name("windows, per key");
    DataStream<Tuple2<Byte, byte[]>> dataFiles = rows.fullWindowPartition()
        .mapPartition(new WriteRows(SerializableTable.copyOf(table), contract)).returns(PART).name("write data files");
    DataStream<Tuple2<Byte, byte[]>> parts = stats.map(s -> Tuple2.of(STATS_PART, encodeStats(s))).returns(PART)
        .union(rows.getSideOutput(KEY_ENDS), dataFiles);

    Map<String, Long> maxSeen = new HashMap<>();
    long minTime = Long.MAX_VALUE;
    long archivedEvents = 0;
    long acceptedEvents = 0;
    long duplicates = 0;
    Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
    List<DataFile> written = new ArrayList<>();
    try (CloseableIterator<Tuple2<Byte, byte[]>> it = parts.executeAndCollect("tessera backfill " + contract.id())) {
      while (it.hasNext()) {
        Tuple2<Byte, byte[]> part = it.next();
        switch (part.f0) {
          case STATS_PART -> {
            PartitionStats s = decodeStats(part.f1);
            archivedEvents += s.archived;
            acceptedEvents += s.accepted;
            duplicates += s.duplicates;
            for (RejectReason r : RejectReason.values()) {
              if (s.rejected[r.ordinal()] > 0) {
                rejected.merge(r, s.rejected[r.ordinal()], Long::sum);
              }
            }
            if (s.maxSeen != Long.MIN_VALUE) {
              maxSeen.put(s.partition, s.maxSeen);
            }
            minTime = Math.min(minTime, s.minAccepted);
            progress.accept(String.format("flink: replayed partition %s: %,d archived events, %,d accepted", s.partition, s.archived,
                s.accepted));
          }
          case KEY_PART -> {
            readKeyEnd(part.f1, out);
            if (out.keys() % 100_000 == 0) {
              progress.accept(String.format("flink: windows done for %,d keys", out.keys()));
            }
          }
          case FILE_PART -> written.add(decodeFile(part.f1));
          default -> throw new IllegalStateException("unknown part " + part.f0);
        }
      }
    } catch (RuntimeException | IOException e) {
      for (DataFile f : written) {
        table.io().deleteFile(f.location());
      }
      throw e;
    } catch (Exception e) {
      for (DataFile f : written) {
        table.io().deleteFile(f.location());
      }
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot run the backfill job of " + contract.id() + " on Flink: " + rootMessage(e), e);
    }
    progress.accept(String.format("replayed %,d archived events: %,d accepted, %,d duplicates dropped, rejected %s",
        archivedEvents, acceptedEvents, duplicates, rejected));
    long cut = Replay.cut(new LatenessRule(contract), maxSeen);
    Backfill.Range range = Backfill.Range.of(request.from(), request.to(), withState, minTime, cut);
    out.range(range);
    out.files(written);
    return new Backfill.Replayed(archivedEvents, duplicates, acceptedEvents, rejected, out.keys(), cut, range);
  }

  /** Reads one archive file split: (source/partition, offset, the event). */
  static final class ReadArchive extends RichFlatMapFunction<FileTask, Tuple3<String, Long, byte[]>> {
    private final Map<String, String> catalogProperties;
    private final String schemaJson;
    private final FeatureSetContract contract;
    private transient FileIO io;
    private transient Schema schema;

    ReadArchive(Map<String, String> catalogProperties, String schemaJson, FeatureSetContract contract) {
      this.catalogProperties = new HashMap<>(catalogProperties);
      this.schemaJson = schemaJson;
      this.contract = contract;
    }

    @Override
    public void open(OpenContext context) {
      String impl = catalogProperties.getOrDefault(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.hadoop.HadoopFileIO");
      io = CatalogUtil.loadFileIO(impl, catalogProperties, new org.apache.hadoop.conf.Configuration());
      schema = SchemaParser.fromJson(schemaJson);
    }

    @Override
    public void flatMap(FileTask task, Collector<Tuple3<String, Long, byte[]>> out) throws IOException {
      try (CloseableIterable<Record> records = Parquet.read(io.newInputFile(task.location)).project(schema)
          .split(task.start, task.length)
          .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema)).build()) {
        for (Record r : records) {
          ArchivedEvent e = ArchivedEvent.fromArchive(r, contract.source().schema());
          out.collect(Tuple3.of(e.source() + "/" + e.partition(), e.offset(), encode(ArchivedEvent.CODEC, e)));
        }
      }
    }

    @Override
    public void close() {
      if (io != null) {
        io.close();
      }
    }
  }

  /**
   * Pass 1, one source partition at a time in offset order: {@link Replay}; accepted events out
   * as (key, event time, event), the partition's stats to the side at its end.
   */
  static final class ReplayPartition extends KeyedProcessFunction<String, Tuple3<String, Long, byte[]>, Tuple3<String, Long, byte[]>> {
    private final FeatureSetContract contract;
    private transient Replay replay;
    private transient PartitionStats stats;

    ReplayPartition(FeatureSetContract contract) {
      this.contract = contract;
    }

    @Override
    public void processElement(Tuple3<String, Long, byte[]> in, Context ctx, Collector<Tuple3<String, Long, byte[]>> out) {
      if (replay == null) {
        replay = new Replay(contract);
        stats = new PartitionStats();
        stats.partition = ctx.getCurrentKey();
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE); // batch mode fires it at the end of the partition
      }
      stats.archived++;
      AcceptedEvent a = replay.accept(decode(ArchivedEvent.CODEC, in.f2));
      if (a != null) {
        stats.minAccepted = Math.min(stats.minAccepted, a.time());
        out.collect(Tuple3.of(a.key(), a.time(), encode(AcceptedEvent.CODEC, a)));
      }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Tuple3<String, Long, byte[]>> out) {
      stats.accepted = replay.accepted();
      stats.duplicates = replay.duplicates();
      replay.rejected().forEach((r, n) -> stats.rejected[r.ordinal()] = n);
      Long max = replay.maxSeen().get(stats.partition);
      stats.maxSeen = max == null ? Long.MIN_VALUE : max;
      ctx.output(STATS, stats);
      replay = null;
      stats = null;
    }
  }

  /**
   * Pass 2, one key at a time in event-time order (events of equal time in arrival order):
   * {@link KeyReplay}; final rows in the range out, the key's state and latest row to the side.
   */
  static final class ReplayKey extends KeyedBroadcastProcessFunction<String, Tuple3<String, Long, byte[]>, PartitionStats, byte[]> {
    private final FeatureSetContract contract;
    private final Long requestFrom;
    private final Long requestTo;
    private final boolean withState;
    private final long epoch;
    private transient KeyReplay keyReplay;
    private transient ChangelogRowWriter rowWriter;
    private transient long lateness;
    private transient Backfill.Range range;
    private transient long cut;
    private transient String key;
    private transient byte[] encodedKey;
    private transient Object[] typedKey;
    private transient List<AcceptedEvent> ties;
    private transient Collector<byte[]> rows;

    ReplayKey(FeatureSetContract contract, Long requestFrom, Long requestTo, boolean withState, long epoch) {
      this.contract = contract;
      this.requestFrom = requestFrom;
      this.requestTo = requestTo;
      this.withState = withState;
      this.epoch = epoch;
    }

    @Override
    public void open(OpenContext context) {
      rowWriter = new ChangelogRowWriter(contract);
      lateness = contract.source().allowedLateness().toMillis();
      ties = new ArrayList<>();
      keyReplay = new KeyReplay(new FeatureWindows(contract), epoch, v -> {
        if (v.isFinal() && range.contains(v.eventTime())) {
          rows.collect(encodeRow(new FeatureRow(typedKey, v.values(), v.eventTime())));
        }
      });
    }

    @Override
    public void processBroadcastElement(PartitionStats stats, Context ctx, Collector<byte[]> out) throws Exception {
      ctx.getBroadcastState(BROADCAST).put(stats.partition, stats);
    }

    @Override
    public void processElement(Tuple3<String, Long, byte[]> in, ReadOnlyContext ctx, Collector<byte[]> out) throws Exception {
      if (range == null) { // every partition's stats arrived first
        Map<String, Long> maxSeen = new HashMap<>();
        long minTime = Long.MAX_VALUE;
        for (var e : ctx.getBroadcastState(BROADCAST).immutableEntries()) {
          if (e.getValue().maxSeen != Long.MIN_VALUE) {
            maxSeen.put(e.getKey(), e.getValue().maxSeen);
          }
          minTime = Math.min(minTime, e.getValue().minAccepted);
        }
        cut = Replay.cut(new LatenessRule(contract), maxSeen);
        range = Backfill.Range.of(requestFrom, requestTo, withState, minTime, cut);
      }
      rows = out;
      AcceptedEvent e = decode(AcceptedEvent.CODEC, in.f2);
      if (!e.key().equals(key)) {
        key = e.key();
        encodedKey = e.encodedKey();
        typedKey = EntityKeys.decode(contract, encodedKey);
        keyReplay.start();
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE); // batch mode fires it at the end of the key
      }
      if (!ties.isEmpty() && ties.get(0).time() != e.time()) {
        flushTies();
      }
      ties.add(e);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<byte[]> out) throws Exception {
      rows = out;
      flushTies();
      KeyReplay.End end = keyReplay.end(cut, encodedKey, rowWriter, lateness);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
      try (DataOutputStream o = new DataOutputStream(bytes)) {
        o.writeUTF(key);
        writeBytes(o, encodedKey);
        o.writeLong(end.timer());
        writeBytes(o, withState ? KeyStateCodec.encode(end.state()) : new byte[0]);
        writeBytes(o, end.latestRow());
      }
      ctx.output(KEY_ENDS, Tuple2.of(KEY_PART, bytes.toByteArray()));
      key = null;
    }

    /** The events of one event time, in arrival order (the sorted input orders by key and time only). */
    private void flushTies() {
      ties.sort(Comparator.comparingLong(AcceptedEvent::seq));
      for (AcceptedEvent t : ties) {
        keyReplay.event(t, cut);
      }
      ties.clear();
    }
  }

  /** Writes one task's final rows to data files of the feature table; emits the files for the client to commit. */
  static final class WriteRows extends RichMapPartitionFunction<byte[], Tuple2<Byte, byte[]>> {
    private final Table table;
    private final FeatureSetContract contract;

    WriteRows(Table table, FeatureSetContract contract) {
      this.table = table;
      this.contract = contract;
    }

    @Override
    public void mapPartition(Iterable<byte[]> rows, Collector<Tuple2<Byte, byte[]>> out) {
      FeatureTableOverwrite.RowFiles files = new FeatureTableOverwrite.RowFiles(table, contract,
          getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), System.nanoTime());
      try {
        for (byte[] row : rows) {
          files.write(decodeRow(row));
        }
        for (DataFile f : files.complete()) {
          out.collect(Tuple2.of(FILE_PART, javaBytes(f)));
        }
      } catch (RuntimeException e) {
        files.abort();
        throw e;
      }
    }
  }

  private static void readKeyEnd(byte[] bytes, ReplayOutput out) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      String key = in.readUTF();
      byte[] encodedKey = readBytes(in);
      long timer = in.readLong();
      byte[] state = readBytes(in);
      byte[] latest = readBytes(in);
      out.key(key, encodedKey, timer, state, latest);
    }
  }

  static byte[] encodeRow(FeatureRow row) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      ValueArrayCodec.write(out, row.keys());
      ValueArrayCodec.write(out, row.values());
      out.writeLong(row.eventTime());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static FeatureRow decodeRow(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return new FeatureRow(ValueArrayCodec.read(in), ValueArrayCodec.read(in), in.readLong());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] encodeStats(PartitionStats s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(s.partition);
      out.writeLong(s.archived);
      out.writeLong(s.accepted);
      out.writeLong(s.duplicates);
      out.writeInt(s.rejected.length);
      for (long n : s.rejected) {
        out.writeLong(n);
      }
      out.writeLong(s.maxSeen);
      out.writeLong(s.minAccepted);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static PartitionStats decodeStats(byte[] bytes) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      PartitionStats s = new PartitionStats();
      s.partition = in.readUTF();
      s.archived = in.readLong();
      s.accepted = in.readLong();
      s.duplicates = in.readLong();
      s.rejected = new long[in.readInt()];
      for (int i = 0; i < s.rejected.length; i++) {
        s.rejected[i] = in.readLong();
      }
      s.maxSeen = in.readLong();
      s.minAccepted = in.readLong();
      return s;
    }
  }

  private static <T> byte[] encode(ExternalSorter.Codec<T> codec, T value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      codec.write(out, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static <T> T decode(ExternalSorter.Codec<T> codec, byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return codec.read(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return b;
  }

  private static byte[] javaBytes(DataFile f) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static DataFile decodeFile(byte[] bytes) throws IOException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return (DataFile) in.readObject();
    } catch (ClassNotFoundException e) {
      throw new IOException(e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
