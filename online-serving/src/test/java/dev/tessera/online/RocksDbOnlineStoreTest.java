package dev.tessera.online;

import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.RocksDbOnlineStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class RocksDbOnlineStoreTest extends OnlineStoreChecks {
  @TempDir Path dir;

  @Override
  OnlineStore open() {
    return new RocksDbOnlineStore(dir);
  }
}
