package dev.tessera.offline.snapshot.join;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridDecoder;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * One flat column of one row group, decoded page by page: what {@code ColumnReaderImpl} does for a
 * column without repetition, minus its per-value bookkeeping, and with PLAIN fixed-width values
 * (doubles, longs, ints, floats) read straight from the page's bytes rather than 8 bytes at a time
 * through a stream (the join's hottest code before). Dictionary-encoded pages give their ids
 * ({@link #dictionaryId}) so that strings are decoded once per entry; any other encoding goes
 * through parquet-java's own {@link ValuesReader}. Call {@link #next} once per row; when it says
 * the value is there, read it with one getter or {@link #skip} it.
 */
final class PageColumn {
  private final ColumnDescriptor descriptor;
  private final PageReader pages;
  private final int maxDefinition;
  private final Dictionary dictionary;
  private final int plainWidth; // bytes of a PLAIN value of this type; 0 when not fixed-width

  private int left; // values (nulls included) left in the current page
  private ValuesReader definitionsV1;
  private RunLengthBitPackingHybridDecoder definitionsV2;
  private ByteBuffer plain; // the page's PLAIN values, little-endian; null for other encodings
  private ValuesReader ids; // dictionary ids of a dictionary-encoded page
  private ValuesReader values; // any other encoding

  PageColumn(ColumnDescriptor descriptor, PageReader pages) {
    this.descriptor = descriptor;
    this.pages = pages;
    this.maxDefinition = descriptor.getMaxDefinitionLevel();
    if (descriptor.getMaxRepetitionLevel() != 0) {
      throw new IllegalArgumentException("Cannot read " + descriptor + " page by page: a repeated column");
    }
    PrimitiveTypeName type = descriptor.getPrimitiveType().getPrimitiveTypeName();
    this.plainWidth = switch (type) {
      case INT64, DOUBLE -> 8;
      case INT32, FLOAT -> 4;
      default -> 0;
    };
    DictionaryPage page = pages.readDictionaryPage();
    try {
      this.dictionary = page == null ? null : page.getEncoding().initDictionary(descriptor, page);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the dictionary of " + descriptor + ": " + e.getMessage(), e);
    }
  }

  /** The row group's dictionary of this column, or null. */
  Dictionary dictionary() {
    return dictionary;
  }

  /** Moves to the next row; whether it has a value (not null). */
  boolean next() {
    if (left == 0) {
      readPage();
    }
    left--;
    if (maxDefinition == 0) {
      return true;
    }
    try {
      int level = definitionsV1 != null ? definitionsV1.readInteger() : definitionsV2.readInt();
      return level == maxDefinition;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the definition levels of " + descriptor + ": " + e.getMessage(), e);
    }
  }

  /** Whether the current page is dictionary-encoded: read values with {@link #dictionaryId}. */
  boolean dictionaryEncoded() {
    return ids != null;
  }

  int dictionaryId() {
    return ids.readValueDictionaryId();
  }

  long getLong() {
    return plain != null ? plain.getLong() : ids != null ? dictionary.decodeToLong(ids.readValueDictionaryId()) : values.readLong();
  }

  double getDouble() {
    return plain != null ? plain.getDouble() : ids != null ? dictionary.decodeToDouble(ids.readValueDictionaryId()) : values.readDouble();
  }

  int getInt() {
    return plain != null ? plain.getInt() : ids != null ? dictionary.decodeToInt(ids.readValueDictionaryId()) : values.readInteger();
  }

  float getFloat() {
    return plain != null ? plain.getFloat() : ids != null ? dictionary.decodeToFloat(ids.readValueDictionaryId()) : values.readFloat();
  }

  boolean getBoolean() {
    return ids != null ? dictionary.decodeToBoolean(ids.readValueDictionaryId()) : values.readBoolean();
  }

  Binary getBinary() {
    return ids != null ? dictionary.decodeToBinary(ids.readValueDictionaryId()) : values.readBytes();
  }

  /** Passes over the current row's value. */
  void skip() {
    if (plain != null) {
      plain.position(plain.position() + plainWidth);
    } else if (ids != null) {
      ids.skip();
    } else {
      values.skip();
    }
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
            repetitions.initFromPage(p.getValueCount(), in);
            definitionsV1 = p.getDlEncoding().getValuesReader(descriptor, ValuesType.DEFINITION_LEVEL);
            definitionsV1.initFromPage(p.getValueCount(), in);
            definitionsV2 = null;
            data(p.getValueEncoding(), in, p.getValueCount());
            return null;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }

        @Override
        public Void visit(DataPageV2 p) {
          try {
            definitionsV1 = null;
            definitionsV2 = maxDefinition == 0 ? null : new RunLengthBitPackingHybridDecoder(
                BytesUtils.getWidthFromMaxInt(maxDefinition), p.getDefinitionLevels().toInputStream());
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
    if (encoding.usesDictionary()) {
      if (dictionary == null) {
        throw new IOException("a dictionary-encoded page without a dictionary");
      }
      ids = encoding.getDictionaryBasedValuesReader(descriptor, ValuesType.VALUES, dictionary);
      ids.initFromPage(count, in);
    } else if (encoding == Encoding.PLAIN && plainWidth > 0) {
      plain = in.slice(in.available()).order(ByteOrder.LITTLE_ENDIAN);
    } else {
      values = encoding.getValuesReader(descriptor, ValuesType.VALUES);
      values.initFromPage(count, in);
    }
  }
}
