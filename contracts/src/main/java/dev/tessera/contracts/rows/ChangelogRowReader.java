package dev.tessera.contracts.rows;

import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.Feature;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.FeatureType;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.schema.FeatureRowSchemas;
import dev.tessera.contracts.schema.SourceTypes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Reads changelog rows written by any version of a contract's major with today's contract: Avro
 * schema resolution with the row's writer schema (found by the fingerprint in its header) as the
 * writer and today's contract as the reader. Fields match by name, never by position; numeric
 * values are promoted as Avro resolution allows (int to long, float or double; long to float or
 * double; float to double). A feature the writer did not have is reported missing
 * ({@link MissingReason#NOT_IN_ROW_VERSION}), one listed in the row's {@code tessera_missing} as
 * {@link MissingReason#BACKFILL_PENDING}, one of an incompatible type or of a row whose writer
 * schema is unknown as {@link MissingReason#UNREADABLE}: never a wrong number.
 *
 * <p>A decoding plan is built once per writer schema and kept. Thread-safe.
 */
public final class ChangelogRowReader {
  private static final ThreadLocal<BinaryDecoder> DECODER = new ThreadLocal<>();
  private static final ThreadLocal<Utf8> TEXT = ThreadLocal.withInitial(Utf8::new);

  private final FeatureSetContract contract;
  private final WriterSchemas schemas;
  private final Map<String, Integer> featureIndex = new HashMap<>();
  private final Map<Long, Plan> plans = new ConcurrentHashMap<>();

  public ChangelogRowReader(FeatureSetContract contract, WriterSchemas schemas) {
    this.contract = contract;
    this.schemas = schemas;
    for (int i = 0; i < contract.features().size(); i++) {
      featureIndex.put(contract.features().get(i).name(), i);
    }
  }

  public FeatureSetContract contract() {
    return contract;
  }

  /** The writer-schema fingerprint in a row's header; INVALID_ARGUMENT when it has none. */
  public static long fingerprint(byte[] row) {
    if (row.length < 10 || row[0] != (byte) 0xC3 || row[1] != 0x01) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "Cannot read a changelog row: expected the Avro single-object header C3 01, got " + row.length + " bytes");
    }
    return ByteBuffer.wrap(row, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  /**
   * Resolves one row into {@code sink}. A row whose writer schema is unknown reports every feature
   * as {@link MissingReason#UNREADABLE} and no {@link RowSink#row}.
   */
  public void read(byte[] row, RowSink sink) {
    Plan plan = plan(fingerprint(row));
    if (plan == null) {
      for (int i = 0; i < contract.features().size(); i++) {
        sink.missing(i, MissingReason.UNREADABLE);
      }
      return;
    }
    for (int f : plan.notInRow) {
      sink.missing(f, MissingReason.NOT_IN_ROW_VERSION);
    }
    for (int f : plan.unreadable) {
      sink.missing(f, MissingReason.UNREADABLE);
    }
    BinaryDecoder in = DecoderFactory.get().binaryDecoder(row, 10, row.length - 10, DECODER.get());
    DECODER.set(in);
    long eventTime = 0;
    long sequence = 0;
    try {
      for (Step step : plan.steps) {
        switch (step.kind) {
          case SKIP -> skip(step.schema, in);
          case FEATURE -> readFeature(step, in, sink);
          case EVENT_TIME -> eventTime = in.readLong();
          case SEQUENCE -> sequence = in.readLong();
          case MISSING -> readMissing(step, in, sink);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new TesseraException(ErrorCode.INTERNAL, "Cannot decode a changelog row of " + contract.name() + " written by "
          + plan.writer.id() + ": " + e.getMessage(), e);
    }
    sink.row(eventTime, sequence, plan.writer);
  }

  /** The event time and sequence of a row (what orders writes in the online store). */
  public long[] timeAndSequence(byte[] row) {
    long[] out = {Long.MIN_VALUE, Long.MIN_VALUE};
    long fp = fingerprint(row);
    if (plan(fp) == null) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Cannot read a changelog row of " + contract.name()
          + ": its writer schema " + WriterSchema.hex(fp) + " is unknown (no schema record was read for it)");
    }
    read(row, new RowSinkAdapter() {
      @Override
      public void row(long eventTime, long sequence, WriterSchema writer) {
        out[0] = eventTime;
        out[1] = sequence;
      }
    });
    return out;
  }

  /** The writer schema of a row, if known. */
  public java.util.Optional<WriterSchema> writer(byte[] row) {
    return schemas.find(fingerprint(row));
  }

  private Plan plan(long fingerprint) {
    Plan plan = plans.get(fingerprint);
    if (plan == null) {
      WriterSchema writer = schemas.find(fingerprint).orElse(null);
      if (writer == null) {
        return null;
      }
      plan = new Plan(writer);
      plans.put(fingerprint, plan);
    }
    return plan;
  }

  private void readFeature(Step step, BinaryDecoder in, RowSink sink) throws IOException {
    Schema value = step.schema;
    if (value.getType() == Schema.Type.UNION) {
      value = value.getTypes().get(in.readIndex());
      if (value.getType() == Schema.Type.NULL) {
        return;
      }
    }
    if (step.writerType == null) {
      skip(value, in);
      return;
    }
    int f = step.readerIndex;
    FeatureType to = step.readerType;
    switch (step.writerType) {
      case INT -> {
        int v = in.readInt();
        switch (to) {
          case INT -> sink.intValue(f, v);
          case LONG, TIMESTAMP -> sink.longValue(f, v);
          case FLOAT -> sink.floatValue(f, v);
          default -> sink.doubleValue(f, v);
        }
      }
      case LONG, TIMESTAMP -> {
        long v = in.readLong();
        switch (to) {
          case LONG, TIMESTAMP -> sink.longValue(f, v);
          case FLOAT -> sink.floatValue(f, v);
          default -> sink.doubleValue(f, v);
        }
      }
      case FLOAT -> {
        float v = in.readFloat();
        if (to == FeatureType.FLOAT) {
          sink.floatValue(f, v);
        } else {
          sink.doubleValue(f, v);
        }
      }
      case DOUBLE -> sink.doubleValue(f, in.readDouble());
      case BOOLEAN -> sink.booleanValue(f, in.readBoolean());
      case STRING -> {
        Utf8 text = in.readString(TEXT.get());
        TEXT.set(text);
        sink.stringValue(f, text);
      }
    }
  }

  private void readMissing(Step step, BinaryDecoder in, RowSink sink) throws IOException {
    Schema s = step.schema;
    if (s.getType() == Schema.Type.UNION) {
      s = s.getTypes().get(in.readIndex());
    }
    if (s.getType() != Schema.Type.ARRAY) {
      skip(s, in);
      return;
    }
    for (long n = in.readArrayStart(); n > 0; n = in.arrayNext()) {
      for (long i = 0; i < n; i++) {
        Integer f = featureIndex.get(in.readString());
        if (f != null) {
          sink.missing(f, MissingReason.BACKFILL_PENDING);
        }
      }
    }
  }

  /** Skips one value of any Avro schema. */
  static void skip(Schema s, BinaryDecoder in) throws IOException {
    switch (s.getType()) {
      case NULL -> { }
      case BOOLEAN -> in.readBoolean();
      case INT -> in.readInt();
      case LONG -> in.readLong();
      case FLOAT -> in.readFloat();
      case DOUBLE -> in.readDouble();
      case STRING -> in.skipString();
      case BYTES -> in.skipBytes();
      case FIXED -> in.skipFixed(s.getFixedSize());
      case ENUM -> in.readEnum();
      case UNION -> skip(s.getTypes().get(in.readIndex()), in);
      case RECORD -> {
        for (Schema.Field field : s.getFields()) {
          skip(field.schema(), in);
        }
      }
      case ARRAY -> {
        for (long n = in.skipArray(); n > 0; n = in.skipArray()) {
          for (long i = 0; i < n; i++) {
            skip(s.getElementType(), in);
          }
        }
      }
      case MAP -> {
        for (long n = in.skipMap(); n > 0; n = in.skipMap()) {
          for (long i = 0; i < n; i++) {
            in.skipString();
            skip(s.getValueType(), in);
          }
        }
      }
    }
  }

  private enum Kind { SKIP, FEATURE, EVENT_TIME, SEQUENCE, MISSING }

  private record Step(Kind kind, Schema schema, int readerIndex, FeatureType writerType, FeatureType readerType) {}

  /** How to read rows of one writer schema with this reader's contract. */
  private final class Plan {
    final WriterSchema writer;
    final List<Step> steps = new ArrayList<>();
    final int[] notInRow;
    final int[] unreadable;

    Plan(WriterSchema writer) {
      this.writer = writer;
      boolean[] seen = new boolean[contract.features().size()];
      List<Integer> bad = new ArrayList<>();
      for (Schema.Field field : writer.schema().getFields()) {
        String name = field.name();
        Integer f = featureIndex.get(name);
        if (name.equals(FeatureSetContract.EVENT_TIME_COLUMN)) {
          steps.add(new Step(Kind.EVENT_TIME, field.schema(), -1, null, null));
        } else if (name.equals(FeatureRowSchemas.SEQUENCE_FIELD)) {
          steps.add(new Step(Kind.SEQUENCE, field.schema(), -1, null, null));
        } else if (name.equals(FeatureRowSchemas.MISSING_FIELD)) {
          steps.add(new Step(Kind.MISSING, field.schema(), -1, null, null));
        } else if (f != null && !isKey(name)) {
          seen[f] = true;
          Feature reader = contract.features().get(f);
          FeatureType writerType = SourceTypes.featureTypeOf(field.schema()).orElse(null);
          boolean ok = writerType != null && promotes(writerType, reader.type());
          if (!ok) {
            bad.add(f);
          }
          steps.add(new Step(Kind.FEATURE, field.schema(), f, ok ? writerType : null, reader.type()));
        } else {
          steps.add(new Step(Kind.SKIP, field.schema(), -1, null, null));
        }
      }
      List<Integer> absent = new ArrayList<>();
      for (int i = 0; i < seen.length; i++) {
        if (!seen[i]) {
          absent.add(i);
        }
      }
      notInRow = absent.stream().mapToInt(Integer::intValue).toArray();
      unreadable = bad.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  private boolean isKey(String name) {
    return contract.entity().keyNames().contains(name);
  }

  /** Avro's promotions among Tessera types (timestamp and long share a physical type). */
  static boolean promotes(FeatureType writer, FeatureType reader) {
    if (writer == reader) {
      return true;
    }
    return switch (writer) {
      case INT -> reader == FeatureType.LONG || reader == FeatureType.TIMESTAMP || reader == FeatureType.FLOAT || reader == FeatureType.DOUBLE;
      case LONG -> reader == FeatureType.TIMESTAMP || reader == FeatureType.FLOAT || reader == FeatureType.DOUBLE;
      case TIMESTAMP -> reader == FeatureType.LONG;
      case FLOAT -> reader == FeatureType.DOUBLE;
      default -> false;
    };
  }
}
