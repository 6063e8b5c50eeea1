package dev.tessera.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.RocksDbOnlineStore;
import dev.tessera.online.store.StoredRow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shutdown under load: lookups racing {@code close()} either read their rows or are refused with
 * UNAVAILABLE (503 with Retry-After at the API); none reaches the closed database. And a failed
 * open frees what it allocated.
 */
class RocksDbShutdownTest {
  @TempDir Path dir;

  @Test
  void lookupsRacingCloseNeverTouchAClosedDatabase() throws Exception {
    RocksDbOnlineStore store = new RocksDbOnlineStore(dir, 8 << 20, 1 << 20);
    List<OnlineStore.Write> writes = new ArrayList<>();
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      byte[] key = ("k" + i).getBytes(StandardCharsets.UTF_8);
      keys.add(key);
      writes.add(new OnlineStore.Write(key, new StoredRow(("v" + i).getBytes(StandardCharsets.UTF_8), 1L, 1L)));
    }
    store.apply("t", 0, writes, 1000);
    AtomicLong answered = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> other = new ConcurrentLinkedQueue<>();
    CountDownLatch started = new CountDownLatch(8);
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread r = new Thread(() -> {
        started.countDown();
        while (true) {
          try {
            assertThat(store.getAll("t", keys)).hasSize(1000).doesNotContainNull();
            answered.incrementAndGet();
          } catch (TesseraException e) {
            if (e.code() != ErrorCode.UNAVAILABLE) {
              other.add(e);
            }
            return; // closed: refused, as the service answers 503
          } catch (Throwable e) {
            other.add(e);
            return;
          }
        }
      });
      r.start();
      readers.add(r);
    }
    started.await();
    Thread.sleep(200);
    store.close();
    for (Thread r : readers) {
      r.join(10_000);
    }
    assertThat(other).isEmpty();
    assertThat(answered.get()).isPositive();
    assertThatThrownBy(() -> store.get("t", keys.get(0))).isInstanceOfSatisfying(TesseraException.class,
        e -> assertThat(e.getMessage()).contains("closed"));
    store.close(); // twice is harmless
  }

  @Test
  void aFailedOpenIsAClearErrorAndCanBeRetried() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> new RocksDbOnlineStore(notADirectory)).isInstanceOfSatisfying(TesseraException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(e.getMessage()).contains("Cannot open the online store at '" + notADirectory + "'");
    });
    try (RocksDbOnlineStore again = new RocksDbOnlineStore(dir.resolve("ok"))) {
      assertThat(again.offsets("t")).isEmpty();
    }
  }
}
