package dev.tessera.online.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The slot group of a key is part of the Redis Cluster key layout: a store written by one version
 * must be read by the next, so the hash may never change. Pinned values, and an even spread.
 */
class RedisSlotGroupTest {
  @Test
  void groupsArePinned() {
    // FNV-1a 32-bit of the bytes, modulo the group count
    assertThat(RedisOnlineStore.group(new byte[0], 64)).isEqualTo(Math.floorMod(0x811c9dc5, 64));
    assertThat(RedisOnlineStore.group("a".getBytes(StandardCharsets.UTF_8), 1 << 30)).isEqualTo(Math.floorMod(0xe40c292c, 1 << 30));
    assertThat(RedisOnlineStore.group("foobar".getBytes(StandardCharsets.UTF_8), 1 << 30)).isEqualTo(Math.floorMod(0xbf9cf968, 1 << 30));
  }

  @Test
  void keysSpreadEvenlyOverGroups() {
    int[] counts = new int[64];
    for (int i = 0; i < 64_000; i++) {
      counts[RedisOnlineStore.group(("c-" + i).getBytes(StandardCharsets.UTF_8), 64)]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(800, 1_200);
    }
  }
}
