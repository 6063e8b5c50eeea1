package dev.tessera.offline.snapshot.spine;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.Files;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.mapping.NameMapping;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.types.Types;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;

/** A Parquet spine, from any writer: columns are matched by name, not by field id. */
public final class ParquetSpine extends FileSpine {
  private final Schema schema;
  private final NameMapping mapping;
  private final List<Column> columns;

  public ParquetSpine(Path file) {
    super(file);
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(this.file))) {
      MessageType type = reader.getFooter().getFileMetaData().getSchema();
      Schema converted = ParquetSchemaUtil.convert(type);
      this.schema = new Schema(converted.columns().stream()
          .map(f -> Types.NestedField.optional(f.fieldId(), f.name(), f.type())).toList());
    } catch (IOException | RuntimeException e) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read spine '" + file + "': not a readable Parquet file (" + e.getMessage() + ")", e);
    }
    this.mapping = MappingUtil.create(schema);
    this.columns = schema.columns().stream().map(f -> new Column(f.name(), f.type())).toList();
  }

  @Override
  public List<Column> columns() {
    return columns;
  }

  @Override
  public CloseableIterable<Object[]> rows() {
    return rows(java.util.stream.IntStream.range(0, columns.size()).toArray());
  }

  @Override
  public CloseableIterable<Object[]> rows(int[] wanted) {
    List<Types.NestedField> fields = schema.columns();
    Schema projected = new Schema(java.util.Arrays.stream(wanted).distinct().mapToObj(fields::get).toList());
    int[] at = projected.columns().stream().mapToInt(f -> fields.indexOf(f)).toArray();
    CloseableIterable<Record> records = Parquet.read(Files.localInput(file.toFile()))
        .project(projected)
        .withNameMapping(mapping)
        .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(projected, fileSchema))
        .build();
    int n = columns.size();
    return CloseableIterable.transform(records, r -> {
      Object[] out = new Object[n];
      for (int i = 0; i < at.length; i++) {
        out[at[i]] = r.get(i);
      }
      return out;
    });
  }

  @Override
  public String format() {
    return "parquet";
  }

}
