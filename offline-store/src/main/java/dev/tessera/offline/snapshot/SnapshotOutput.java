package dev.tessera.offline.snapshot;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.offline.table.IcebergValues;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** Where snapshot rows go: a Parquet file, a CSV file, or a new Iceberg table. */
public abstract class SnapshotOutput implements AutoCloseable {
  protected final Schema schema;
  private long rows;

  SnapshotOutput(Schema schema) {
    this.schema = schema;
  }

  /** Opens {@code target}: {@code *.parquet}, {@code *.csv} or {@code iceberg:<namespace>.<table>}. */
  static SnapshotOutput open(String target, Schema schema, Catalog catalog) {
    if (target.startsWith("iceberg:")) {
      return new IcebergOutput(TableIdentifier.parse(target.substring("iceberg:".length())), schema, catalog);
    }
    Path file = Path.of(target).toAbsolutePath().normalize();
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.IO_ERROR, "Cannot create the folder of '" + target + "': " + e.getMessage(), e);
    }
    if (target.endsWith(".parquet")) {
      return new ParquetOutput(org.apache.iceberg.Files.localOutput(file.toFile()), file.toString(), schema);
    }
    if (target.endsWith(".csv")) {
      return new CsvOutput(file, schema);
    }
    throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
        "Cannot write snapshot to '" + target + "': expected a .parquet or .csv file, or iceberg:<namespace>.<table>");
  }

  public final void write(Object[] row) {
    rows++;
    doWrite(row);
  }

  long rows() {
    return rows;
  }

  abstract void doWrite(Object[] row);

  abstract String format();

  abstract String location();

  @Override
  public abstract void close();

  private GenericRecord template;
  private Type[] types;

  GenericRecord record(Object[] row) {
    if (template == null) {
      template = GenericRecord.create(schema);
      types = schema.columns().stream().map(Types.NestedField::type).toArray(Type[]::new);
    }
    GenericRecord record = template.copy(); // not create(): that looks its field names up in a shared cache per row
    for (int i = 0; i < row.length; i++) {
      Type type = types[i];
      Object v = row[i];
      record.set(i, v instanceof Number && type.typeId() == Type.TypeID.TIMESTAMP ? IcebergValues.toIceberg(v, type) : v);
    }
    return record;
  }

  static final class ParquetOutput extends SnapshotOutput {
    final FileAppender<org.apache.iceberg.data.Record> appender;
    final String location;

    ParquetOutput(OutputFile file, String location, Schema schema) {
      super(schema);
      this.location = location;
      try {
        // zstd, as feature tables are written (Parquet's default here would be gzip: several times slower to write and read)
        this.appender = Parquet.write(file).schema(schema).createWriterFunc(GenericParquetWriter::create)
            .set(TableProperties.PARQUET_COMPRESSION, "zstd").overwrite().build();
      } catch (IOException e) {
        throw TesseraException.io("Cannot open " + location, e);
      }
    }

    @Override
    void doWrite(Object[] row) {
      appender.add(record(row));
    }

    @Override
    String format() {
      return "parquet";
    }

    @Override
    String location() {
      return location;
    }

    @Override
    public void close() {
      try {
        appender.close();
      } catch (IOException e) {
        throw TesseraException.io("Cannot close " + location, e);
      }
    }

    DataFile toDataFile(PartitionSpec spec) {
      return DataFiles.builder(spec).withPath(location).withFormat(FileFormat.PARQUET)
          .withFileSizeInBytes(appender.length()).withMetrics(appender.metrics()).build();
    }
  }

  static final class CsvOutput extends SnapshotOutput {
    final Path file;
    final BufferedWriter out;

    CsvOutput(Path file, Schema schema) {
      super(schema);
      this.file = file;
      try {
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        out.write(String.join(",", schema.columns().stream().map(c -> quote(c.name())).toList()));
        out.write('\n');
      } catch (IOException e) {
        throw new TesseraException(ErrorCode.IO_ERROR, "Cannot write '" + file + "': " + e.getMessage(), e);
      }
    }

    @Override
    void doWrite(Object[] row) {
      try {
        for (int i = 0; i < row.length; i++) {
          if (i > 0) {
            out.write(',');
          }
          Object v = row[i];
          if (v == null) {
            continue;
          }
          boolean timestamp = schema.columns().get(i).type().typeId() == Type.TypeID.TIMESTAMP && v instanceof Long;
          out.write(quote(timestamp ? Instant.ofEpochMilli((Long) v).toString() : v.toString()));
        }
        out.write('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static String quote(String s) {
      if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
        return s;
      }
      return '"' + s.replace("\"", "\"\"") + '"';
    }

    @Override
    String format() {
      return "csv";
    }

    @Override
    String location() {
      return file.toString();
    }

    @Override
    public void close() {
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static final class IcebergOutput extends SnapshotOutput {
    final Table table;
    final ParquetOutput file;

    IcebergOutput(TableIdentifier id, Schema schema, Catalog catalog) {
      super(schema);
      if (catalog.tableExists(id)) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
            "Cannot write snapshot to iceberg:" + id + ": the table exists; snapshots go to a new table");
      }
      if (catalog instanceof SupportsNamespaces ns && !ns.namespaceExists(id.namespace())) {
        ns.createNamespace(id.namespace());
      }
      this.table = catalog.createTable(id, schema, PartitionSpec.unpartitioned(), Map.of("format-version", "2"));
      String path = table.locationProvider().newDataLocation("snapshot-" + System.currentTimeMillis() + ".parquet");
      this.file = new ParquetOutput(table.io().newOutputFile(path), path, table.schema());
    }

    @Override
    void doWrite(Object[] row) {
      file.write(row);
    }

    @Override
    String format() {
      return "iceberg";
    }

    @Override
    String location() {
      return "iceberg:" + table.name().replaceFirst("^[^.]+\\.", "");
    }

    @Override
    public void close() {
      file.close();
      table.newAppend().appendFile(file.toDataFile(table.spec())).commit();
    }
  }
}
