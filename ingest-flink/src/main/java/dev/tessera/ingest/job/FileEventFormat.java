package dev.tessera.ingest.job;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads a backfill file in order, one {@link JobRecords.Raw} per event with its line (JSON lines) or
 * record number (Avro container files, re-encoded as plain binary of the contract schema) as
 * offset. Not splittable: file order is the event order the lateness rule replays.
 */
final class FileEventFormat implements StreamFormat<JobRecords.Raw> {
  static final String JSON = "json";
  static final String BINARY = "binary";

  private final String kind;
  private final String schemaJson;
  private final String location;

  FileEventFormat(String kind, Schema contractSchema, String location) {
    this.kind = kind;
    this.schemaJson = contractSchema.toString();
    this.location = location;
  }

  @Override
  public Reader<JobRecords.Raw> createReader(Configuration config, FSDataInputStream stream, long fileLen, long splitEnd) throws IOException {
    if (kind.equals(JSON)) {
      BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
      return new Reader<>() {
        long line;

        @Override
        public JobRecords.Raw read() throws IOException {
          String text;
          do {
            text = lines.readLine();
            line++;
          } while (text != null && text.isBlank());
          return text == null ? null : raw(text.getBytes(StandardCharsets.UTF_8), line);
        }

        @Override
        public void close() throws IOException {
          lines.close();
        }
      };
    }
    Schema schema = new Schema.Parser().parse(schemaJson);
    DataFileStream<GenericRecord> records = new DataFileStream<>(stream, new GenericDatumReader<>(null, schema));
    GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(schema);
    return new Reader<>() {
      long n;
      BinaryEncoder encoder;

      @Override
      public JobRecords.Raw read() throws IOException {
        if (!records.hasNext()) {
          return null;
        }
        GenericRecord r = records.next();
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        encoder = EncoderFactory.get().binaryEncoder(out, encoder);
        writer.write(r, encoder);
        encoder.flush();
        return raw(out.toByteArray(), ++n);
      }

      @Override
      public void close() throws IOException {
        records.close();
      }
    };
  }

  private JobRecords.Raw raw(byte[] payload, long number) {
    JobRecords.Raw raw = new JobRecords.Raw(payload, location, 0, number);
    raw.format = kind;
    return raw;
  }

  @Override
  public Reader<JobRecords.Raw> restoreReader(Configuration config, FSDataInputStream stream, long restoredOffset, long fileLen, long splitEnd)
      throws IOException {
    return createReader(config, stream, fileLen, splitEnd);
  }

  @Override
  public boolean isSplittable() {
    return false;
  }

  @Override
  public TypeInformation<JobRecords.Raw> getProducedType() {
    return TypeInformation.of(JobRecords.Raw.class);
  }
}
