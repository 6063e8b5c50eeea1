package dev.tessera.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.RocksDbOnlineStore;
import dev.tessera.online.store.StoredRow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store rules again with a row cache small enough to evict, and the cache's promise under
 * concurrency: while one writer keeps replacing rows, no reader ever sees a key go back to an
 * older row than it has seen, and afterwards every cached read equals RocksDB's.
 */
class RocksDbRowCacheTest extends OnlineStoreChecks {
  @TempDir Path dir;

  @Override
  OnlineStore open() {
    return new RocksDbOnlineStore(dir, 1 << 20, 16 << 10);
  }

  @Test
  @Timeout(60)
  void readersNeverGoBackInTime() throws Exception {
    int keys = 200;
    List<byte[]> keyBytes = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      keyBytes.add(("k" + k).getBytes(StandardCharsets.UTF_8));
    }
    List<StoredRow> cached;
    try (RocksDbOnlineStore store = new RocksDbOnlineStore(dir.resolve("c"), 1 << 20, 8 << 10)) {
      AtomicBoolean done = new AtomicBoolean();
      AtomicLong offset = new AtomicLong();
      ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
      Thread writer = new Thread(() -> {
        for (long t = 1; t <= 400; t++) {
          List<OnlineStore.Write> batch = new ArrayList<>();
          for (int k = 0; k < keys; k += 1 + (int) (t % 3)) {
            batch.add(new OnlineStore.Write(keyBytes.get(k), new StoredRow(("v" + t).getBytes(StandardCharsets.UTF_8), t, 0)));
          }
          store.apply(TOPIC, 0, batch, offset.incrementAndGet());
        }
        done.set(true);
      });
      List<Thread> readers = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        readers.add(new Thread(() -> {
          long[] seen = new long[keys];
          while (!done.get()) {
            List<StoredRow> rows = store.getAll(TOPIC, keyBytes);
            for (int k = 0; k < keys; k++) {
              StoredRow row = rows.get(k);
              long t = row == null ? 0 : row.eventTime();
              if (t < seen[k]) {
                problems.add("key " + k + " went back from " + seen[k] + " to " + t);
              }
              seen[k] = t;
            }
          }
        }));
      }
      readers.forEach(Thread::start);
      writer.start();
      writer.join();
      for (Thread t : readers) {
        t.join();
      }
      assertThat(problems).isEmpty();
      cached = store.getAll(TOPIC, keyBytes);
    }
    // the same keys straight from RocksDB (no row cache): the cache held exactly the stored rows
    try (RocksDbOnlineStore reopened = new RocksDbOnlineStore(dir.resolve("c"), 1 << 20, 0)) {
      List<StoredRow> fromDisk = reopened.getAll(TOPIC, keyBytes);
      for (int k = 0; k < keys; k++) {
        assertThat(cached.get(k).eventTime()).as("key %d", k).isEqualTo(fromDisk.get(k).eventTime());
        assertThat(cached.get(k).value()).as("key %d", k).isEqualTo(fromDisk.get(k).value());
      }
    }
  }
}
