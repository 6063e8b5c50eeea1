package dev.tessera.offline.snapshot.join;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Function;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * One flat column of one row group, decoded page by page and many rows at a time ({@link #read}):
 * what {@code ColumnReaderImpl} does for a column without repetition, minus its per-value calls.
 * Definition levels and dictionary ids are decoded in bulk ({@link RleInts}), PLAIN fixed-width
 * values (longs, doubles) copied straight from the page's bytes, strings decoded once per
 * dictionary entry; any other encoding goes through parquet-java's own {@link ValuesReader}.
 */
final class PageColumn {
  private final ColumnDescriptor descriptor;
  private final PageReader pages;
  private final int maxDefinition;
  private final Dictionary dictionary;
  private final Function<Binary, String> text; // a string column's value as text (the key column: its canonical text)
  private String[] decoded; // strings by dictionary id, each decoded once

  private int left; // values (nulls included) left in the current page
  private RleInts definitions; // RLE definition levels; null when none (required) or another encoding
  private ValuesReader otherDefinitions;
  private ByteBuffer plain; // the page's PLAIN fixed-width values, little-endian; null for other encodings
  private RleInts ids; // dictionary ids of a dictionary-encoded page
  private ValuesReader values; // any other encoding
  private int[] scratch = new int[256];

  /** @param text for a string column, its values' text from their bytes; null for others */
  PageColumn(ColumnDescriptor descriptor, PageReader pages, Function<Binary, String> text) {
    this.descriptor = descriptor;
    this.pages = pages;
    this.text = text;
    this.maxDefinition = descriptor.getMaxDefinitionLevel();
    if (descriptor.getMaxRepetitionLevel() != 0) {
      throw new IllegalArgumentException("Cannot read " + descriptor + " page by page: a repeated column");
    }
    DictionaryPage page = pages.readDictionaryPage();
    try {
      this.dictionary = page == null ? null : page.getEncoding().initDictionary(descriptor, page);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the dictionary of " + descriptor + ": " + e.getMessage(), e);
    }
  }

  /**
   * Decodes the next {@code n} rows into {@code [0, n)}: {@code nulls[i]} whether row i has no
   * value, and where it has one, the value in the array of its kind: {@code longs} (LONG, INT,
   * BOOLEAN as 0/1, TIMESTAMP as microseconds), {@code doubles} (DOUBLE, FLOAT) or {@code strings}.
   */
  void read(ColumnarRun.Kind kind, int n, boolean[] nulls, long[] longs, double[] doubles, String[] strings) {
    int off = 0;
    while (off < n) {
      if (left == 0) {
        readPage();
      }
      int k = Math.min(n - off, left);
      int present = definitions(nulls, off, k);
      values(kind, off, present, longs, doubles, strings);
      if (present < k) { // the values came dense: move each to its row, from the last
        int j = off + present - 1;
        for (int i = off + k - 1; i >= off && j >= off; i--) {
          if (!nulls[i]) {
            switch (kind) {
              case DOUBLE, FLOAT -> doubles[i] = doubles[j];
              case STRING -> strings[i] = strings[j];
              default -> longs[i] = longs[j];
            }
            j--;
          }
        }
      }
      left -= k;
      off += k;
    }
  }

  /**
   * As {@link #read} for a string column, its values' bytes instead of their text: a dictionary
   * entry's rows share one {@link Binary} (compare by reference first), valid as long as the row group's pages.
   */
  void readBinaries(int n, boolean[] nulls, Binary[] out) {
    int off = 0;
    while (off < n) {
      if (left == 0) {
        readPage();
      }
      int k = Math.min(n - off, left);
      int present = definitions(nulls, off, k);
      if (ids != null) {
        int[] id = scratch(present);
        ids.read(id, 0, present);
        for (int i = 0; i < present; i++) {
          out[off + i] = dictionary.decodeToBinary(id[i]);
        }
      } else {
        for (int i = 0; i < present; i++) {
          out[off + i] = values.readBytes();
        }
      }
      if (present < k) { // as in read: each value to its row, from the last
        int j = off + present - 1;
        for (int i = off + k - 1; i >= off && j >= off; i--) {
          if (!nulls[i]) {
            out[i] = out[j--];
          }
        }
      }
      left -= k;
      off += k;
    }
  }

  /** Reads {@code k} definition levels into {@code nulls[off..off+k)}; returns how many rows have a value. */
  private int definitions(boolean[] nulls, int off, int k) {
    if (maxDefinition == 0) {
      java.util.Arrays.fill(nulls, off, off + k, false);
      return k;
    }
    int[] levels = scratch(k);
    if (definitions != null) {
      definitions.read(levels, 0, k);
    } else {
      for (int i = 0; i < k; i++) {
        levels[i] = otherDefinitions.readInteger();
      }
    }
    int present = 0;
    for (int i = 0; i < k; i++) {
      boolean absent = levels[i] != maxDefinition;
      nulls[off + i] = absent;
      present += absent ? 0 : 1;
    }
    return present;
  }

  /** Decodes the next {@code m} values (non-null) into {@code [off, off+m)} of the kind's array. */
  private void values(ColumnarRun.Kind kind, int off, int m, long[] longs, double[] doubles, String[] strings) {
    if (m == 0) {
      return;
    }
    if (ids != null) {
      int[] id = scratch(m);
      ids.read(id, 0, m);
      switch (kind) {
        case STRING -> {
          for (int i = 0; i < m; i++) {
            strings[off + i] = string(id[i]);
          }
        }
        case LONG, TIMESTAMP -> {
          for (int i = 0; i < m; i++) {
            longs[off + i] = dictionary.decodeToLong(id[i]);
          }
        }
        case INT -> {
          for (int i = 0; i < m; i++) {
            longs[off + i] = dictionary.decodeToInt(id[i]);
          }
        }
        case DOUBLE -> {
          for (int i = 0; i < m; i++) {
            doubles[off + i] = dictionary.decodeToDouble(id[i]);
          }
        }
        case FLOAT -> {
          for (int i = 0; i < m; i++) {
            doubles[off + i] = dictionary.decodeToFloat(id[i]);
          }
        }
        case BOOLEAN -> {
          for (int i = 0; i < m; i++) {
            longs[off + i] = dictionary.decodeToBoolean(id[i]) ? 1 : 0;
          }
        }
      }
      return;
    }
    if (plain != null) {
      switch (kind) {
        case LONG, TIMESTAMP -> {
          plain.asLongBuffer().get(longs, off, m);
          plain.position(plain.position() + m * Long.BYTES);
        }
        case DOUBLE -> {
          plain.asDoubleBuffer().get(doubles, off, m);
          plain.position(plain.position() + m * Double.BYTES);
        }
        case INT -> {
          for (int i = 0; i < m; i++) {
            longs[off + i] = plain.getInt();
          }
        }
        case FLOAT -> {
          for (int i = 0; i < m; i++) {
            doubles[off + i] = plain.getFloat();
          }
        }
        default -> throw new IllegalStateException("Cannot read " + descriptor + " as " + kind);
      }
      return;
    }
    for (int i = 0; i < m; i++) {
      switch (kind) {
        case STRING -> strings[off + i] = text.apply(values.readBytes());
        case LONG, TIMESTAMP -> longs[off + i] = values.readLong();
        case INT -> longs[off + i] = values.readInteger();
        case DOUBLE -> doubles[off + i] = values.readDouble();
        case FLOAT -> doubles[off + i] = values.readFloat();
        case BOOLEAN -> longs[off + i] = values.readBoolean() ? 1 : 0;
      }
    }
  }

  private String string(int id) {
    if (decoded == null) {
      decoded = new String[dictionary.getMaxId() + 1];
    }
    String s = decoded[id];
    if (s == null) {
      s = decoded[id] = text.apply(dictionary.decodeToBinary(id));
    }
    return s;
  }

  private int[] scratch(int n) {
    if (scratch.length < n) {
      scratch = new int[Math.max(n, scratch.length * 2)];
    }
    return scratch;
  }

  private void readPage() {
    DataPage page = pages.readPage();
    if (page == null) {
      throw new IllegalStateException("Cannot read " + descriptor + ": no more pages, yet the row group has more rows");
    }
    try {
      page.accept(new DataPage.Visitor<Void>() {
        @Override
        public Void visit(DataPageV1 p) {
          try {
            ByteBufferInputStream in = p.getBytes().toInputStream();
            ValuesReader repetitions = p.getRlEncoding().getValuesReader(descriptor, ValuesType.REPETITION_LEVEL);
            repetitions.initFromPage(p.getValueCount(), in); // none: a flat column
            definitions = null;
            otherDefinitions = null;
            if (maxDefinition > 0 && p.getDlEncoding() == Encoding.RLE) {
              int length = BytesUtils.readIntLittleEndian(in); // V1: the levels' byte length first
              definitions = new RleInts(BytesUtils.getWidthFromMaxInt(maxDefinition), in.slice(length).order(ByteOrder.LITTLE_ENDIAN));
            } else if (maxDefinition > 0) {
              otherDefinitions = p.getDlEncoding().getValuesReader(descriptor, ValuesType.DEFINITION_LEVEL);
              otherDefinitions.initFromPage(p.getValueCount(), in);
            }
            data(p.getValueEncoding(), in, p.getValueCount());
            return null;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }

        @Override
        public Void visit(DataPageV2 p) {
          try {
            otherDefinitions = null;
            definitions = maxDefinition == 0 ? null : new RleInts(BytesUtils.getWidthFromMaxInt(maxDefinition),
                p.getDefinitionLevels().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
            data(p.getDataEncoding(), p.getData().toInputStream(), p.getValueCount());
            return null;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      });
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException("Cannot read a page of " + descriptor + ": " + e.getCause().getMessage(), e.getCause());
    }
    left = page.getValueCount();
  }

  private void data(Encoding encoding, ByteBufferInputStream in, int count) throws IOException {
    plain = null;
    ids = null;
    values = null;
    PrimitiveTypeName type = descriptor.getPrimitiveType().getPrimitiveTypeName();
    if (encoding.usesDictionary()) {
      if (dictionary == null) {
        throw new IOException("a dictionary-encoded page without a dictionary");
      }
      int bitWidth = in.available() == 0 ? 0 : BytesUtils.readIntLittleEndianOnOneByte(in); // a page of nulls only may have no bytes
      ids = new RleInts(bitWidth, in.slice(in.available()).order(ByteOrder.LITTLE_ENDIAN));
    } else if (encoding == Encoding.PLAIN && (type == PrimitiveTypeName.INT64 || type == PrimitiveTypeName.DOUBLE
        || type == PrimitiveTypeName.INT32 || type == PrimitiveTypeName.FLOAT)) {
      plain = in.slice(in.available()).order(ByteOrder.LITTLE_ENDIAN);
    } else {
      values = encoding.getValuesReader(descriptor, ValuesType.VALUES);
      values.initFromPage(count, in);
    }
  }
}
