package dev.tessera.online.store;

import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.TesseraException;
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
 * offsets are {@code o|<topic>|<partition>}, written in the same batch as the data.
 */
public final class RocksDbOnlineStore implements OnlineStore {
  static {
    RocksDB.loadLibrary();
  }

  private final RocksDB db;
  private final Options options;
  private final WriteOptions writeOptions = new WriteOptions();

  public RocksDbOnlineStore(Path dir) {
    try {
      Files.createDirectories(dir);
      options = new Options().setCreateIfMissing(true);
      db = RocksDB.open(options, dir.toString());
    } catch (Exception e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot open the online store at '" + dir + "': " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized int apply(String topic, int partition, List<Write> writes, long nextOffset) {
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
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot write to the online store: " + e.getMessage(), e);
    }
    return changed;
  }

  @Override
  public Optional<StoredRow> get(String topic, byte[] key) {
    try {
      return Optional.ofNullable(decode(db.get(dataKey(topic, key))));
    } catch (RocksDBException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot read the online store: " + e.getMessage(), e);
    }
  }

  @Override
  public List<StoredRow> getAll(String topic, List<byte[]> keys) {
    List<byte[]> dataKeys = new java.util.ArrayList<>(keys.size());
    keys.forEach(k -> dataKeys.add(dataKey(topic, k)));
    try {
      List<byte[]> values = db.multiGetAsList(dataKeys);
      List<StoredRow> out = new java.util.ArrayList<>(values.size());
      values.forEach(v -> out.add(decode(v)));
      return out;
    } catch (RocksDBException e) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot read the online store: " + e.getMessage(), e);
    }
  }

  @Override
  public Map<Integer, Long> offsets(String topic) {
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
    db.close();
    options.close();
    writeOptions.close();
  }

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
