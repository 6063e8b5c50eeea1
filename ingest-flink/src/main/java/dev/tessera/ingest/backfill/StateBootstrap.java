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
