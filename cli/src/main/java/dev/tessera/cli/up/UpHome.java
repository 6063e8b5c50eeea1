package dev.tessera.cli.up;

import dev.tessera.config.TesseraConfig;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.config.IngestOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The local stack's state in a Tessera home: {@code <home>/up} (broker data, savepoints, logs) and
 * the checkpoint directory, and the lock that says a {@code tessera up} runs on it.
 */
public final class UpHome {
  private final Path home;
  private final TesseraConfig config;

  public UpHome(Path home, TesseraConfig config) {
    this.home = home;
    this.config = config;
  }

  public Path dir() {
    return home.resolve("up");
  }

  public Path savepoints() {
    return dir().resolve("savepoints");
  }

  /** The newest retained checkpoint or savepoint (the directory of its {@code _metadata}). */
  public Optional<Path> latestCheckpoint() {
    List<Path> candidates = new ArrayList<>();
    String checkpoints = config.get(IngestOptions.CHECKPOINT_DIR);
    for (Path root : List.of(checkpoints.contains("://") ? savepoints() : Path.of(checkpoints), savepoints())) {
      if (Files.isDirectory(root)) {
        try (Stream<Path> s = Files.find(root, 3, (p, a) -> p.getFileName().toString().equals("_metadata"))) {
          s.forEach(candidates::add);
        } catch (IOException e) {
          throw new TesseraException(ErrorCode.IO_ERROR, "Cannot list checkpoints in " + root + ": " + e.getMessage(), e);
        }
      }
    }
    return candidates.stream().max(Comparator.comparingLong(p -> p.toFile().lastModified())).map(Path::getParent);
  }

  /** Where backfills put the window state the next start loads. */
  public Path backfills() {
    return dir().resolve("backfills");
  }

  private Path pendingFile() {
    return backfills().resolve("pending.properties");
  }

  /**
   * Records a backfill's window state for the next start, which loads it only when it resumes from
   * {@code savepoint} (the one the backfill started from).
   */
  public void addPendingBootstrap(Path savepoint, String featureSet, String bootstrap) {
    addPendingBootstrap(savepoint, featureSet, bootstrap, null);
  }

  /** As {@link #addPendingBootstrap(Path, String, String)}, with the backfill's latest values for the next start to publish (null: none). */
  public void addPendingBootstrap(Path savepoint, String featureSet, String bootstrap, Path latest) {
    java.util.Properties p = pending();
    if (!savepoint.toString().equals(p.getProperty("savepoint"))) {
      p.clear();
    }
    p.setProperty("savepoint", savepoint.toString());
    p.setProperty("bootstrap." + featureSet, bootstrap);
    if (latest != null) {
      p.setProperty("latest." + featureSet, latest.toString());
    }
    try {
      Files.createDirectories(backfills());
      try (var w = Files.newBufferedWriter(pendingFile())) {
        p.store(w, "backfilled window state, loaded by the next tessera up that resumes from the savepoint");
      }
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.IO_ERROR, "Cannot write " + pendingFile() + ": " + e.getMessage(), e);
    }
  }

  /** The pending bootstraps by feature set, when resuming from {@code resume}; empty otherwise. */
  public java.util.Map<String, String> pendingBootstraps(Path resume) {
    java.util.Properties p = pending();
    java.util.Map<String, String> out = new java.util.HashMap<>();
    if (resume != null && resume.toString().equals(p.getProperty("savepoint"))) {
      p.stringPropertyNames().stream().filter(k -> k.startsWith("bootstrap."))
          .forEach(k -> out.put(k.substring("bootstrap.".length()), p.getProperty(k)));
    }
    return out;
  }

  /** The latest values of pending backfills by feature set, to publish to the changelog on the next start (whatever it resumes from). */
  public java.util.Map<String, Path> pendingLatest() {
    java.util.Properties p = pending();
    java.util.Map<String, Path> out = new java.util.HashMap<>();
    p.stringPropertyNames().stream().filter(k -> k.startsWith("latest."))
        .forEach(k -> out.put(k.substring("latest.".length()), Path.of(p.getProperty(k))));
    return out;
  }

  /** Forgets pending bootstraps (once a job loaded them, or they no longer match the state). */
  public void clearPendingBootstraps() {
    try {
      Files.deleteIfExists(pendingFile());
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.IO_ERROR, "Cannot delete " + pendingFile() + ": " + e.getMessage(), e);
    }
  }

  private java.util.Properties pending() {
    java.util.Properties p = new java.util.Properties();
    if (Files.isRegularFile(pendingFile())) {
      try (var r = Files.newBufferedReader(pendingFile())) {
        p.load(r);
      } catch (IOException e) {
        throw new TesseraException(ErrorCode.IO_ERROR, "Cannot read " + pendingFile() + ": " + e.getMessage(), e);
      }
    }
    return p;
  }

  /**
   * Takes the lock of a running {@code tessera up}; empty when another process holds it. The lock
   * goes with the process (also on kill -9).
   */
  public Optional<AutoCloseable> lock() {
    try {
      Files.createDirectories(dir());
      FileChannel channel = FileChannel.open(dir().resolve("up.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        return Optional.empty();
      }
      FileLock held = lock;
      return Optional.of(() -> {
        held.release();
        channel.close();
      });
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.IO_ERROR, "Cannot lock " + dir() + ": " + e.getMessage(), e);
    }
  }
}
