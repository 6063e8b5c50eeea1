package dev.tessera.ingest.decode;

import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.schema.SourceTypes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * A decoded event's source fields as an array in the source schema's field order, as they travel
 * from the Kafka source to validation and into the events archive: text, numbers and booleans as
 * they are (timestamps raw: millis or micros as the schema says), other Avro types as JSON text.
 */
public final class SourceFields {
  private final List<Schema.Field> fields;
  private final String eventTimeField;
  private final boolean micros;

  public SourceFields(FeatureSetContract contract) {
    this.fields = contract.source().schema().getFields();
    this.eventTimeField = contract.source().eventTime();
    this.micros = SourceTypes.isMicros(contract.source().schema().getField(eventTimeField).schema());
  }

  public Object[] values(Map<String, Object> byName) {
    Object[] values = new Object[fields.size()];
    for (int i = 0; i < values.length; i++) {
      Object v = byName.get(fields.get(i).name());
      values[i] = v == null || v instanceof CharSequence || v instanceof Number || v instanceof Boolean ? v : GenericData.get().toString(v);
    }
    return values;
  }

  public Map<String, Object> map(Object[] values) {
    Map<String, Object> out = new HashMap<>(fields.size() * 2);
    for (int i = 0; i < values.length; i++) {
      out.put(fields.get(i).name(), values[i]);
    }
    return out;
  }

  /** The event time in epoch milliseconds, or null when the field is absent. */
  public Long eventTime(Map<String, Object> byName) {
    return byName.get(eventTimeField) instanceof Number n ? (micros ? Math.floorDiv(n.longValue(), 1000) : n.longValue()) : null;
  }
}
