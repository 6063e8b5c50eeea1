package dev.tessera.ingest.window;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer of {@link KeyState}: with the heap state backend the state stays an object and
 * is encoded only for checkpoints (and copied for copy-on-write snapshots); RocksDB encodes it on
 * every access. The wire form is {@link KeyStateCodec}'s.
 */
public final class KeyStateSerializer extends TypeSerializer<KeyState> {
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
    return new KeyState(0);
  }

  @Override
  public KeyState copy(KeyState from) {
    return KeyStateCodec.decode(KeyStateCodec.encode(from));
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
    byte[] bytes = KeyStateCodec.encode(record);
    target.writeInt(bytes.length);
    target.write(bytes);
  }

  @Override
  public KeyState deserialize(DataInputView source) throws IOException {
    byte[] bytes = new byte[source.readInt()];
    source.readFully(bytes);
    return KeyStateCodec.decode(bytes);
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
    return obj instanceof KeyStateSerializer;
  }

  @Override
  public int hashCode() {
    return KeyStateSerializer.class.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<KeyState> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The serializer's snapshot: it has no configuration. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<KeyState> {
    public Snapshot() {
      super(KeyStateSerializer::new);
    }
  }
}
