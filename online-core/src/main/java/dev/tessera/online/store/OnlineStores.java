package dev.tessera.online.store;

import dev.tessera.config.OnlineOptions;
import dev.tessera.config.TesseraConfig;
import java.nio.file.Path;

/** The online store that configuration names: RocksDB in this process, or a shared Redis. */
public final class OnlineStores {
  private OnlineStores() {}

  public static OnlineStore open(TesseraConfig config) {
    return switch (config.get(OnlineOptions.STORE)) {
      case ROCKSDB -> new RocksDbOnlineStore(Path.of(config.get(OnlineOptions.ROCKSDB_DIR)), config.get(OnlineOptions.ROCKSDB_BLOCK_CACHE),
          config.get(OnlineOptions.ROCKSDB_ROW_CACHE));
      case REDIS -> new RedisOnlineStore(config.get(OnlineOptions.REDIS_MODE), config.get(OnlineOptions.REDIS_URI),
          config.get(OnlineOptions.REDIS_PREFIX), config.get(OnlineOptions.REDIS_SLOT_GROUPS));
    };
  }
}
