package dev.tessera.ingest.backfill;

import dev.tessera.ingest.window.KeyState;
import dev.tessera.ingest.window.KeyStateCodec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Consumer;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The window state a backfill computed, one record per key (its key, encoded key, the event-time
 * timer of its next finalization, and its {@link KeyState} in the contract's layout), in a file on
 * any Flink file system (a local path, or {@code s3://} on a cluster). The stream that resumes from
 * the savepoint the backfill started from loads it into its window operator before it processes
 * any event ({@code job.WindowOperator}), replacing those keys' state.
 */
public final class StateBootstrap {
  private StateBootstrap() {}

  /** One key's state as the window operator keeps it. */
  public record Entry(String key, byte[] encodedKey, long timer, byte[] state) {}

  /** Appends key states to a bootstrap file. */
  public static final class Writer implements AutoCloseable {
    private final DataOutputStream out;
    private long count;

    public Writer(String location) throws IOException {
      Path path = new Path(location);
      OutputStream stream = path.getFileSystem().create(path, FileSystem.WriteMode.OVERWRITE);
      out = new DataOutputStream(new BufferedOutputStream(stream, 1 << 16));
    }

    public void write(String key, byte[] encodedKey, long timer, KeyState state) throws IOException {
      write(key, encodedKey, timer, KeyStateCodec.encode(state));
    }

    /** As {@link #write(String, byte[], long, KeyState)}, with the state encoded by {@link KeyStateCodec}. */
    public void write(String key, byte[] encodedKey, long timer, byte[] bytes) throws IOException {
      out.writeUTF(key);
      out.writeInt(encodedKey.length);
      out.write(encodedKey);
      out.writeLong(timer);
      out.writeInt(bytes.length);
      out.write(bytes);
      count++;
    }

    public long count() {
      return count;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /**
   * Writes, next to a bootstrap file ({@code <location>.offsets}), the last source offset per
   * Kafka partition that the backfilled state counts (the events archive's, as the backfill read
   * it): a stream that loads the state skips those offsets, so a pipeline that starts fresh with
   * it (a new major) reads the topic from the beginning without counting an event twice.
   */
  public static void writeCountedThrough(String location, java.util.Map<Integer, Long> offsets) throws IOException {
    Path path = new Path(location + ".offsets");
    try (OutputStream stream = path.getFileSystem().create(path, FileSystem.WriteMode.OVERWRITE)) {
      java.util.Properties p = new java.util.Properties();
      offsets.forEach((partition, offset) -> p.setProperty(Integer.toString(partition), Long.toString(offset)));
      p.store(stream, "last Kafka offset per partition counted by the backfilled state");
    }
  }

  /** The offsets {@link #writeCountedThrough} wrote next to a bootstrap file; empty when there are none (an older backfill). */
  public static java.util.Map<Integer, Long> countedThrough(String location) throws IOException {
    Path path = new Path(location + ".offsets");
    java.util.Map<Integer, Long> out = new java.util.HashMap<>();
    if (!path.getFileSystem().exists(path)) {
      return out;
    }
    try (var in = path.getFileSystem().open(path)) {
      java.util.Properties p = new java.util.Properties();
      p.load(in);
      p.stringPropertyNames().forEach(k -> out.put(Integer.parseInt(k), Long.parseLong(p.getProperty(k))));
    }
    return out;
  }

  /** Reads every entry of a bootstrap file. */
  public static void read(String location, Consumer<Entry> entries) throws IOException {
    Path path = new Path(location);
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(path.getFileSystem().open(path), 1 << 16))) {
      while (true) {
        String key;
        try {
          key = in.readUTF();
        } catch (EOFException end) {
          return;
        }
        byte[] encoded = new byte[in.readInt()];
        in.readFully(encoded);
        long timer = in.readLong();
        byte[] state = new byte[in.readInt()];
        in.readFully(state);
        entries.accept(new Entry(key, encoded, timer, state));
      }
    }
  }
}
