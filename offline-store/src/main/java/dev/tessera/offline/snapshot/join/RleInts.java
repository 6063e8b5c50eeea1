package dev.tessera.offline.snapshot.join;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.parquet.column.values.bitpacking.BytePacker;
import org.apache.parquet.column.values.bitpacking.Packer;

/**
 * Parquet's RLE / bit-packing hybrid encoding (definition levels, dictionary ids), decoded many
 * values at a time: a run of one repeated value is an {@code Arrays.fill}, a bit-packed run is
 * unpacked whole by parquet-java's packers and copied out. parquet-java's own decoder gives one
 * value per call, which was the join's hottest call per value of every column.
 *
 * <p>The format: runs, each a ULEB128 header; {@code header & 1 == 0}: {@code header >>> 1}
 * copies of one value stored in {@code ceil(bitWidth / 8)} little-endian bytes; else
 * {@code header >>> 1} groups of 8 values, each group packed into {@code bitWidth} bytes.
 */
final class RleInts {
  private final ByteBuffer in;
  private final int bitWidth;
  private final int byteWidth;
  private final BytePacker packer;
  private boolean repeated;
  private int left; // values left in the current run
  private int value; // a repeated run's value
  private int[] unpacked = new int[64];
  private int unpackedPos;
  private byte[] packed = new byte[64];

  /** @param in the encoded values from its position to its limit */
  RleInts(int bitWidth, ByteBuffer in) {
    if (bitWidth < 0 || bitWidth > 32) {
      throw new IllegalArgumentException("Cannot decode RLE values of bit width " + bitWidth + ": expected 0 to 32");
    }
    this.in = in;
    this.bitWidth = bitWidth;
    this.byteWidth = (bitWidth + 7) / 8;
    this.packer = Packer.LITTLE_ENDIAN.newBytePacker(bitWidth);
  }

  /** Decodes the next {@code n} values into {@code out[off..off+n)}. */
  void read(int[] out, int off, int n) {
    while (n > 0) {
      if (left == 0) {
        nextRun();
        continue;
      }
      int k = Math.min(n, left);
      if (repeated) {
        Arrays.fill(out, off, off + k, value);
      } else {
        System.arraycopy(unpacked, unpackedPos, out, off, k);
        unpackedPos += k;
      }
      left -= k;
      off += k;
      n -= k;
    }
  }

  private void nextRun() {
    if (!in.hasRemaining()) {
      throw new IllegalStateException("RLE values end before the page's value count");
    }
    int header = readUnsignedVarInt();
    if ((header & 1) == 0) {
      repeated = true;
      left = header >>> 1;
      int v = 0;
      for (int i = 0; i < byteWidth; i++) {
        v |= (in.get() & 0xff) << (8 * i);
      }
      value = v;
    } else {
      repeated = false;
      int groups = header >>> 1;
      left = groups * 8;
      if (unpacked.length < left) {
        unpacked = new int[left];
      }
      int bytes = groups * bitWidth;
      if (packed.length < bytes) {
        packed = new byte[bytes];
      }
      int available = Math.min(bytes, in.remaining()); // the last group may be cut short: padded with zeros as parquet-java does
      in.get(packed, 0, available);
      Arrays.fill(packed, available, bytes, (byte) 0);
      for (int g = 0; g < groups; g++) {
        packer.unpack8Values(packed, g * bitWidth, unpacked, g * 8);
      }
      unpackedPos = 0;
    }
  }

  private int readUnsignedVarInt() {
    int value = 0;
    int shift = 0;
    int b;
    do {
      b = in.get() & 0xff;
      value |= (b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) != 0 && shift < 35);
    return value;
  }
}
