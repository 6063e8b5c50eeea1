package dev.tessera.online.store;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.rows.WriterSchema;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The embedded store of one serving replica: RocksDB under a local directory. Data keys are
 * {@code d|<topic>|<key bytes>} with value {@code [event time][sequence][changelog value]};
 * offsets are {@code o|<topic>|<partition>}, written in the same batch as the data; writer schemas
 * of the rows are {@code s|<fingerprint>}, consumers' usage {@code u|<major>|<consumer>}, and the
 * contract versions served {@code k|<name>|<version>} (JSON: first served time, YAML, files).
 */
public final class RocksDbOnlineStore implements OnlineStore {
  static {
    RocksDB.loadLibrary();
  }

  private final RocksDB db;
  private final Options options;
  private final com.github.benmanes.caffeine.cache.Cache<ByteBuffer, StoredRow> rows;
  private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
  private final org.rocksdb.Cache cache;
  private final org.rocksdb.Filter filter;
  private final WriteOptions writeOptions = new WriteOptions();
  /** Operations hold the read lock, {@link #close} the write lock: no operation runs on a closed database. */
  private final java.util.concurrent.locks.ReentrantReadWriteLock lifecycle = new java.util.concurrent.locks.ReentrantReadWriteLock();
  private boolean closed;

  /** Default block cache: enough for the examples' hot set; size it to the replica's working set. */
  public static final long DEFAULT_BLOCK_CACHE = 256L << 20;

  public RocksDbOnlineStore(Path dir) {
    this(dir, DEFAULT_BLOCK_CACHE, 0);
  }

  /**
   * Tuned for point lookups: an LRU block cache of {@code blockCacheBytes}, Bloom filters (10
   * bits per key) so absent keys rarely touch a data block, and LZ4 blocks; and a row cache of
   * {@code rowCacheBytes} (0: none) in front of it.
   *
   * <p>The row cache never serves a row older than the store's: a commit is wrapped in a seqlock
   * (the generation is odd while a batch is written, its keys are invalidated before the commit and
   * put after it), and a reader inserts a row it read from RocksDB only if no write ran since its
   * read began, checked atomically with the insert. A cached read is far cheaper than a RocksDB
   * point read, which is what 1,000-entity batches need (numbers: docs/online.md, "Benchmark").
   */
  public RocksDbOnlineStore(Path dir, long blockCacheBytes, long rowCacheBytes) {
    this.rows = rowCacheBytes <= 0 ? null : com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
        .maximumWeight(rowCacheBytes)
        .weigher((ByteBuffer k, StoredRow v) -> k.remaining() + v.value().length + 96)
        .<ByteBuffer, StoredRow>build();
    org.rocksdb.LRUCache c = null;
    org.rocksdb.BloomFilter f = null;
    Options o = null;
    try {
      Files.createDirectories(dir);
      c = new org.rocksdb.LRUCache(blockCacheBytes);
      f = new org.rocksdb.BloomFilter(10, false);
      org.rocksdb.BlockBasedTableConfig table = new org.rocksdb.BlockBasedTableConfig()
          .setBlockCache(c).setFilterPolicy(f).setBlockSize(8 << 10).setCacheIndexAndFilterBlocks(true)
          .setPinL0FilterAndIndexBlocksInCache(true);
      o = new Options().setCreateIfMissing(true).setTableFormatConfig(table)
          .setCompressionType(org.rocksdb.CompressionType.LZ4_COMPRESSION);
      db = RocksDB.open(o, dir.toString());
    } catch (Exception e) {
      // the native handles made so far are freed: a failed open leaks nothing
      for (AutoCloseable h : new AutoCloseable[] {o, f, c, writeOptions}) {
        if (h != null) {
          try {
            h.close();
          } catch (Exception ignored) {
            // freeing native memory
          }
        }
      }
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot open the online store at '" + dir + "': " + e.getMessage(), e);
    }
    cache = c;
    filter = f;
    options = o;
  }

  /**
   * Runs an operation on the open database; once {@link #close} began, UNAVAILABLE instead (a
   * lookup during shutdown is answered 503, never with a read of freed native memory).
   */
  private <T> T open(java.util.function.Supplier<T> operation) {
    java.util.concurrent.locks.Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      if (closed) {
        throw new TesseraException(ErrorCode.UNAVAILABLE, "The online store is closed (the service is stopping)");
      }
      return operation.get();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int apply(String topic, int partition, List<Write> writes, long nextOffset) {
    return open(() -> applyOpen(topic, partition, writes, nextOffset));
  }

  private synchronized int applyOpen(String topic, int partition, List<Write> writes, long nextOffset) {
    Map<ByteBuffer, StoredRow> pending = new HashMap<>();
    int changed = 0;
    try (WriteBatch batch = new WriteBatch()) {
      for (Write w : writes) {
        byte[] dataKey = dataKey(topic, w.key());
        ByteBuffer k = ByteBuffer.wrap(dataKey);
        StoredRow current = pending.containsKey(k) ? pending.get(k) : decode(db.get(dataKey));
        if (w.row().newerThan(current)) {
          pending.put(k, w.row());
          batch.put(dataKey, encode(w.row()));
          changed++;
        }
      }
      batch.put(offsetKey(topic, partition), ByteBuffer.allocate(8).putLong(nextOffset).array());
      if (rows == null || pending.isEmpty()) {
        db.write(writeOptions, batch);
      } else {
        // a seqlock around the commit: odd while writing, so no reader caches what it read meanwhile
        generation.incrementAndGet();
        try {
          rows.invalidateAll(pending.keySet());
          db.write(writeOptions, batch);
          pending.forEach(rows::put);
        } finally {
          generation.incrementAndGet();
        }
      }
    } catch (RocksDBException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write to the online store: " + e.getMessage(), e);
    }
    return changed;
  }

  @Override
  public Optional<StoredRow> get(String topic, byte[] key) {
    return Optional.ofNullable(getAll(topic, List.of(key)).get(0));
  }

  @Override
  public List<StoredRow> getAll(String topic, List<byte[]> keys) {
    return open(() -> getAllOpen(topic, keys));
  }

  private List<StoredRow> getAllOpen(String topic, List<byte[]> keys) {
    long startGeneration = generation.get();
    StoredRow[] out = new StoredRow[keys.size()];
    List<byte[]> missKeys = new java.util.ArrayList<>();
    List<Integer> missAt = new java.util.ArrayList<>();
    for (int i = 0; i < out.length; i++) {
      byte[] dataKey = dataKey(topic, keys.get(i));
      StoredRow cached = rows == null ? null : rows.getIfPresent(ByteBuffer.wrap(dataKey));
      if (cached != null) {
        out[i] = cached;
      } else {
        missKeys.add(dataKey);
        missAt.add(i);
      }
    }
    if (!missKeys.isEmpty()) {
      try {
        List<byte[]> values = missKeys.size() == 1 ? java.util.Collections.singletonList(db.get(missKeys.get(0))) : db.multiGetAsList(missKeys);
        for (int j = 0; j < values.size(); j++) {
          StoredRow row = decode(values.get(j));
          out[missAt.get(j)] = row;
          if (row != null && rows != null) {
            rows.asMap().compute(ByteBuffer.wrap(missKeys.get(j)),
                (k, current) -> current != null ? current : (startGeneration & 1) == 0 && generation.get() == startGeneration ? row : null);
          }
        }
      } catch (RocksDBException e) {
        throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot read the online store: " + e.getMessage(), e);
      }
    }
    return Arrays.asList(out);
  }

  @Override
  public void saveSchema(WriterSchema schema) {
    open(() -> {
      try {
        db.put(writeOptions, (SCHEMA_PREFIX + schema.fingerprintHex()).getBytes(StandardCharsets.UTF_8), schema.toJson());
        return null;
      } catch (RocksDBException e) {
        throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write to the online store: " + e.getMessage(), e);
      }
    });
  }

  @Override
  public List<WriterSchema> schemas() {
    return open(this::schemasOpen);
  }

  private List<WriterSchema> schemasOpen() {
    List<WriterSchema> out = new java.util.ArrayList<>();
    byte[] prefix = SCHEMA_PREFIX.getBytes(StandardCharsets.UTF_8);
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
        out.add(WriterSchema.fromJson(it.value()));
      }
    }
    return out;
  }

  @Override
  public synchronized void addUsage(String major, String consumer, long reads, long lastReadMillis) {
    byte[] key = (USAGE_PREFIX + major + "|" + consumer).getBytes(StandardCharsets.UTF_8);
    open(() -> {
      try {
        byte[] old = db.get(key);
        long n = reads;
        long last = lastReadMillis;
        if (old != null) {
          ByteBuffer u = ByteBuffer.wrap(old);
          n += u.getLong();
          last = Math.max(last, u.getLong());
        }
        db.put(writeOptions, key, ByteBuffer.allocate(16).putLong(n).putLong(last).array());
        return null;
      } catch (RocksDBException e) {
        throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write usage to the online store: " + e.getMessage(), e);
      }
    });
  }

  @Override
  public List<Usage> usage() {
    return open(() -> {
      List<Usage> out = new java.util.ArrayList<>();
      byte[] prefix = USAGE_PREFIX.getBytes(StandardCharsets.UTF_8);
      try (RocksIterator it = db.newIterator()) {
        for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
          String key = new String(it.key(), prefix.length, it.key().length - prefix.length, StandardCharsets.UTF_8);
          ByteBuffer u = ByteBuffer.wrap(it.value());
          out.add(new Usage(key.substring(0, key.indexOf('|')), key.substring(key.indexOf('|') + 1), u.getLong(), u.getLong()));
        }
      }
      return out;
    });
  }

  @Override
  public synchronized void saveContract(ContractVersion version) {
    byte[] key = (CONTRACT_PREFIX + version.name() + "|" + version.version()).getBytes(StandardCharsets.UTF_8);
    open(() -> {
      try {
        if (db.get(key) == null) {
          db.put(writeOptions, key, version.toJson());
        }
        return null;
      } catch (RocksDBException e) {
        throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write to the online store: " + e.getMessage(), e);
      }
    });
  }

  @Override
  public List<ContractVersion> contracts() {
    return open(() -> {
      List<ContractVersion> out = new java.util.ArrayList<>();
      byte[] prefix = CONTRACT_PREFIX.getBytes(StandardCharsets.UTF_8);
      try (RocksIterator it = db.newIterator()) {
        for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
          String key = new String(it.key(), prefix.length, it.key().length - prefix.length, StandardCharsets.UTF_8);
          out.add(ContractVersion.fromJson(key.substring(0, key.indexOf('|')), key.substring(key.indexOf('|') + 1), it.value()));
        }
      }
      return out;
    });
  }

  @Override
  public long deleteTopic(String topic) {
    return open(() -> {
      byte[] data = ("d|" + topic + "|").getBytes(StandardCharsets.UTF_8);
      byte[] offsets = ("o|" + topic + "|").getBytes(StandardCharsets.UTF_8);
      long n = 0;
      try (RocksIterator it = db.newIterator()) {
        for (it.seek(data); it.isValid() && startsWith(it.key(), data); it.next()) {
          n++;
        }
        db.deleteRange(writeOptions, data, end(data));
        db.deleteRange(writeOptions, offsets, end(offsets));
      } catch (RocksDBException e) {
        throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot delete " + topic + " from the online store: " + e.getMessage(), e);
      }
      if (rows != null) {
        rows.invalidateAll();
      }
      return n;
    });
  }

  /** The first key after every key starting with {@code prefix} (its last byte, '|', plus one). */
  private static byte[] end(byte[] prefix) {
    byte[] end = prefix.clone();
    end[end.length - 1]++;
    return end;
  }

  @Override
  public Map<Integer, Long> offsets(String topic) {
    return open(() -> offsetsOpen(topic));
  }

  private Map<Integer, Long> offsetsOpen(String topic) {
    Map<Integer, Long> out = new HashMap<>();
    byte[] prefix = ("o|" + topic + "|").getBytes(StandardCharsets.UTF_8);
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
        String partition = new String(it.key(), prefix.length, it.key().length - prefix.length, StandardCharsets.UTF_8);
        out.put(Integer.parseInt(partition), ByteBuffer.wrap(it.value()).getLong());
      }
    }
    return out;
  }

  @Override
  public void close() {
    lifecycle.writeLock().lock(); // waits for the operations in flight
    try {
      if (closed) {
        return;
      }
      closed = true;
      db.close();
      options.close();
      cache.close();
      filter.close();
      writeOptions.close();
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  private static final String SCHEMA_PREFIX = "s|";
  private static final String USAGE_PREFIX = "u|";
  private static final String CONTRACT_PREFIX = "k|";

  private static boolean startsWith(byte[] a, byte[] prefix) {
    return a.length >= prefix.length && Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static final java.util.concurrent.ConcurrentHashMap<String, byte[]> PREFIXES = new java.util.concurrent.ConcurrentHashMap<>();

  static byte[] dataKey(String topic, byte[] key) {
    byte[] prefix = PREFIXES.computeIfAbsent(topic, t -> ("d|" + t + "|").getBytes(StandardCharsets.UTF_8));
    byte[] out = Arrays.copyOf(prefix, prefix.length + key.length);
    System.arraycopy(key, 0, out, prefix.length, key.length);
    return out;
  }

  static byte[] offsetKey(String topic, int partition) {
    return ("o|" + topic + "|" + partition).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] encode(StoredRow row) {
    return ByteBuffer.allocate(16 + row.value().length).putLong(row.eventTime()).putLong(row.sequence()).put(row.value()).array();
  }

  static StoredRow decode(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long time = b.getLong();
    long seq = b.getLong();
    return new StoredRow(Arrays.copyOfRange(bytes, 16, bytes.length), time, seq);
  }
}
