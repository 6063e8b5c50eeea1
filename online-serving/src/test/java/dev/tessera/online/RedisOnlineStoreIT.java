package dev.tessera.online;

import dev.tessera.online.store.OnlineStore;
import dev.tessera.online.store.RedisOnlineStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/** The same rules on the Redis this machine runs at 127.0.0.1:6379, under a fresh key prefix. */
@Timeout(60)
class RedisOnlineStoreIT extends OnlineStoreChecks {
  static final String URI = dev.tessera.testkit.MachineServices.REDIS_URI;

  @org.junit.jupiter.api.BeforeAll
  static void redisRuns() {
    dev.tessera.testkit.MachineServices.requireRedis();
  }
  final String prefix = "tessera-it:" + Long.toHexString(System.nanoTime()) + ":";

  @Override
  OnlineStore open() {
    return new RedisOnlineStore(URI, prefix);
  }

  @AfterEach
  void deleteKeys() {
    Redis.deletePrefix(URI, prefix);
  }
}
