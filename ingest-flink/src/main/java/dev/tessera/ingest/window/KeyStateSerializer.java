package dev.tessera.ingest.window;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer of {@link KeyState} in one {@link Layout}. With the heap state backend the
 * state stays an object and is encoded only for checkpoints (and copied for copy-on-write
 * snapshots); RocksDB encodes it on every access. The wire form is {@link KeyStateCodec}'s; the
 * layout goes into the serializer's snapshot, once per checkpoint.
 *
 * <p>State migration: restoring state written in another layout (an earlier minor version of the
 * contract) is "compatible after migration": Flink reads it with the old layout's serializer, and
 * a state of another layout is adopted by name ({@link Migration}) before it is written or used.
 */
public final class KeyStateSerializer extends TypeSerializer<KeyState> {
  private final Layout layout;

  public KeyStateSerializer(Layout layout) {
    this.layout = layout;
  }

  public Layout layout() {
    return layout;
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<KeyState> duplicate() {
    return this;
  }

  @Override
  public KeyState createInstance() {
    return new KeyState(layout);
  }

  @Override
  public KeyState copy(KeyState from) {
    // copy-on-write snapshots copy every key touched while a checkpoint is written: an object copy, not encode + decode
    return Migration.adopt(from, layout).copy();
  }

  @Override
  public KeyState copy(KeyState from, KeyState reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(KeyState record, DataOutputView target) throws IOException {
    // the same bytes as KeyStateCodec.encode (length first), through one buffer per thread instead of an array per key
    org.apache.flink.core.memory.DataOutputSerializer buffer = BUFFER.get();
    buffer.clear();
    KeyStateCodec.encode(Migration.adopt(record, layout), buffer);
    target.writeInt(buffer.length());
    target.write(buffer.getSharedBuffer(), 0, buffer.length());
  }

  private static final ThreadLocal<org.apache.flink.core.memory.DataOutputSerializer> BUFFER =
      ThreadLocal.withInitial(() -> new org.apache.flink.core.memory.DataOutputSerializer(1024));

  @Override
  public KeyState deserialize(DataInputView source) throws IOException {
    byte[] bytes = new byte[source.readInt()];
    source.readFully(bytes);
    return KeyStateCodec.decode(bytes, layout);
  }

  @Override
  public KeyState deserialize(KeyState reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    int length = source.readInt();
    target.writeInt(length);
    target.write(source, length);
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof KeyStateSerializer other && other.layout.equals(layout);
  }

  @Override
  public int hashCode() {
    return layout.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<KeyState> snapshotConfiguration() {
    return new Snapshot(layout);
  }

  /** The serializer's snapshot: the layout, as JSON. */
  public static final class Snapshot implements TypeSerializerSnapshot<KeyState> {
    private Layout layout;

    public Snapshot() {}

    Snapshot(Layout layout) {
      this.layout = layout;
    }

    @Override
    public int getCurrentVersion() {
      return 2;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
      byte[] json = layout.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      out.writeInt(json.length);
      out.write(json);
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
      if (readVersion != 2) {
        throw new IOException("window state serializer version " + readVersion + " was written by an earlier Tessera build;"
            + " it cannot be restored (rebuild the state from the events archive with tessera backfill)");
      }
      byte[] json = new byte[in.readInt()];
      in.readFully(json);
      layout = Layout.fromJson(new String(json, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public TypeSerializer<KeyState> restoreSerializer() {
      return new KeyStateSerializer(layout);
    }

    @Override
    public TypeSerializerSchemaCompatibility<KeyState> resolveSchemaCompatibility(TypeSerializerSnapshot<KeyState> old) {
      if (!(old instanceof Snapshot previous)) {
        return TypeSerializerSchemaCompatibility.incompatible();
      }
      // never incompatible between Tessera layouts: features that cannot be carried over start empty and are marked incomplete
      return previous.layout.sameShape(layout) ? TypeSerializerSchemaCompatibility.compatibleAsIs()
          : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
    }
  }
}
