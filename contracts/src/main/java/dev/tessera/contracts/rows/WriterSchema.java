package dev.tessera.contracts.rows;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.schema.FeatureRowSchemas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The Avro schema a changelog row was written with, identified by its CRC-64-AVRO fingerprint
 * (the 8 bytes after {@code C3 01} in every row), with the contract version that wrote it. Ingest
 * publishes one as a schema record into the changelog topic before the first row that uses it, so
 * every reader of the topic can resolve old rows against today's contract.
 */
public record WriterSchema(long fingerprint, String featureSet, String version, Schema schema) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public WriterSchema {
    requireNonNull(featureSet, "featureSet is null");
    requireNonNull(version, "version is null");
    requireNonNull(schema, "schema is null");
  }

  /** The changelog row schema of {@code contract}. */
  public static WriterSchema of(FeatureSetContract contract) {
    Schema schema = FeatureRowSchemas.avroChangelog(contract);
    return new WriterSchema(SchemaNormalization.parsingFingerprint64(schema), contract.name(), contract.version().toString(), schema);
  }

  /** {@code customer_activity@1.1.0}. */
  public String id() {
    return featureSet + "@" + version;
  }

  /** The fingerprint as 16 hex digits, how schema records are keyed. */
  public String fingerprintHex() {
    return hex(fingerprint);
  }

  public static String hex(long fingerprint) {
    return String.format("%016x", fingerprint);
  }

  /** The schema record's JSON: {@code {"feature_set", "version", "fingerprint", "schema"}}. */
  public byte[] toJson() {
    ObjectNode node = JSON.createObjectNode()
        .put("feature_set", featureSet).put("version", version).put("fingerprint", fingerprintHex());
    try {
      node.set("schema", JSON.readTree(schema.toString()));
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.INTERNAL, "Cannot write the schema record of " + id() + ": " + e.getMessage(), e);
    }
  }

  /** Reads a schema record; the fingerprint is recomputed from the schema, never trusted. */
  public static WriterSchema fromJson(byte[] json) {
    try {
      JsonNode node = JSON.readTree(json);
      Schema schema = new Schema.Parser().parse(node.get("schema").toString());
      return new WriterSchema(SchemaNormalization.parsingFingerprint64(schema), node.get("feature_set").asText(),
          node.get("version").asText(), schema);
    } catch (IOException | RuntimeException e) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "Cannot read a changelog schema record: " + e.getMessage() + " (" + new String(json, 0, Math.min(json.length, 80), StandardCharsets.UTF_8) + ")", e);
    }
  }
}
