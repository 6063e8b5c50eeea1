package dev.tessera.model.predict;

import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Where a batch's features come from: one Arrow lookup of the given features for all its entities, one row per entity in order. */
public interface FeatureSource extends AutoCloseable {
  VectorSchemaRoot fetch(List<String> features, List<Map<String, String>> entities, BufferAllocator allocator);

  /** Whether the source can answer now (the online service is ready). */
  boolean ready();

  @Override
  default void close() {}
}
