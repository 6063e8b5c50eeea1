package dev.tessera.offline.snapshot.spine;

import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.types.Types;

/** A CSV spine (RFC 4180, header row, comma-separated); every column is read as a string. */
public final class CsvSpine extends FileSpine {
  private final List<Column> columns;

  public CsvSpine(Path file) {
    super(file);
    try (CsvReader reader = new CsvReader(this.file)) {
      List<String> header = reader.next();
      if (header == null) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read spine '" + file + "': the file is empty, expected a header row");
      }
      Set<String> seen = new HashSet<>();
      List<Column> cols = new ArrayList<>();
      for (String name : header) {
        if (!seen.add(name)) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read spine '" + file + "': duplicate column '" + name + "' in the header");
        }
        cols.add(new Column(name, Types.StringType.get()));
      }
      this.columns = List.copyOf(cols);
    }
  }

  @Override
  public List<Column> columns() {
    return columns;
  }

  @Override
  public CloseableIterable<Object[]> rows() {
    return new CloseableIterable<>() {
      private final List<CsvReader> open = new ArrayList<>();

      @Override
      public CloseableIterator<Object[]> iterator() {
        CsvReader reader = new CsvReader(file);
        open.add(reader);
        reader.next(); // header
        return new CloseableIterator<>() {
          List<String> nextRow = reader.next();

          @Override
          public boolean hasNext() {
            return nextRow != null;
          }

          @Override
          public Object[] next() {
            if (nextRow == null) {
              throw new NoSuchElementException();
            }
            List<String> row = nextRow;
            if (row.size() != columns.size()) {
              throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read spine '" + file + "' line " + reader.lineOfLastRow()
                  + ": " + row.size() + " fields, expected " + columns.size() + " like the header");
            }
            Object[] out = new Object[row.size()];
            for (int i = 0; i < out.length; i++) {
              String v = row.get(i);
              out[i] = v.isEmpty() ? null : v;
            }
            nextRow = reader.next();
            return out;
          }

          @Override
          public void close() {
            reader.close();
          }
        };
      }

      @Override
      public void close() {
        open.forEach(CsvReader::close);
      }
    };
  }

  @Override
  public String format() {
    return "csv";
  }


  /** A streaming RFC 4180 reader: quoted fields may hold commas, quotes ("") and newlines. */
  static final class CsvReader implements AutoCloseable, Iterator<List<String>> {
    private final BufferedReader in;
    private long line = 1;
    private long rowLine = 1;

    CsvReader(Path file) {
      try {
        this.in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read spine '" + file + "': " + e.getMessage(), e);
      }
    }

    long lineOfLastRow() {
      return rowLine;
    }

    @Override
    public boolean hasNext() {
      throw new UnsupportedOperationException("use next() until it returns null");
    }

    /** The next row, or null at the end. Blank lines are skipped. */
    @Override
    public List<String> next() {
      try {
        while (true) {
          rowLine = line;
          List<String> fields = new ArrayList<>();
          StringBuilder field = new StringBuilder();
          boolean quoted = false;
          boolean any = false;
          int c;
          while ((c = in.read()) != -1) {
            any = true;
            char ch = (char) c;
            if (quoted) {
              if (ch == '"') {
                in.mark(1);
                int n = in.read();
                if (n == '"') {
                  field.append('"');
                } else {
                  quoted = false;
                  if (n != -1) {
                    in.reset();
                  }
                }
              } else {
                if (ch == '\n') {
                  line++;
                }
                field.append(ch);
              }
            } else if (ch == '"' && field.length() == 0) {
              quoted = true;
            } else if (ch == ',') {
              fields.add(field.toString());
              field.setLength(0);
            } else if (ch == '\n') {
              line++;
              break;
            } else if (ch != '\r') {
              field.append(ch);
            }
          }
          if (!any) {
            return null;
          }
          fields.add(field.toString());
          if (fields.size() == 1 && fields.get(0).isEmpty()) {
            if (c == -1) {
              return null;
            }
            continue;
          }
          return fields;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }
}
