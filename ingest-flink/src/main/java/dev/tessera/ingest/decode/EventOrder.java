package dev.tessera.ingest.decode;

/**
 * The arrival sequence of an event, which orders events of equal event time ({@code first} and
 * {@code last} ties) the same way in a stream, a file backfill and a replay: by offset (or line),
 * then partition, packed as {@code offset * 2^20 + partition}. Partitions up to 2^20 and offsets
 * up to 2^43 keep it exact; beyond, it fails loudly rather than collide.
 */
public final class EventOrder {
  private static final int PARTITION_BITS = 20;

  private EventOrder() {}

  public static long sequence(int partition, long offset) {
    if (partition < 0 || partition >= 1 << PARTITION_BITS) {
      throw new IllegalArgumentException("Cannot order events of partition " + partition + ": at most " + (1 << PARTITION_BITS) + " partitions");
    }
    return Math.addExact(Math.multiplyExact(offset, 1L << PARTITION_BITS), partition);
  }
}
