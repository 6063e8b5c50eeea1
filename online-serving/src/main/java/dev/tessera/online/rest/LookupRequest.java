package dev.tessera.online.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.errors.ErrorCode;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.errors.TesseraException;
import dev.tessera.contracts.parser.Problems;
import dev.tessera.online.arrow.ArrowBatches;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A lookup as the REST layer receives it: feature references and the entities' keys, read from a
 * JSON body, an Arrow IPC body of key columns (features in the query), or the query of a GET.
 * Anything malformed is INVALID_ARGUMENT naming the field, the value and what was expected.
 */
record LookupRequest(List<String> features, List<Map<String, String>> entities) {
  /** {@code {"features": [...], "entities": [{...}, ...]}}. */
  static LookupRequest fromJson(ObjectMapper json, byte[] body) {
    if (body == null || body.length == 0) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Empty body: expected {\"features\": [...], \"entities\": [...]}");
    }
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (IOException e) {
      String msg = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Body: not valid JSON (" + msg + ")");
    }
    if (root == null || !root.isObject()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Body: expected a JSON object {\"features\": [...], \"entities\": [...]}");
    }
    return new LookupRequest(features(root.get("features")), entities(root.get("entities")));
  }

  /** An Arrow IPC stream of key columns; features from {@code ?features=a:*&features=b:x,b:y}. */
  static LookupRequest fromArrow(BufferAllocator allocator, byte[] body, List<String> featureParams) {
    List<String> features = new ArrayList<>();
    for (String p : featureParams) {
      for (String f : p.split(",")) {
        if (!f.isBlank()) {
          features.add(f.trim());
        }
      }
    }
    return new LookupRequest(features, ArrowBatches.readKeys(allocator, body));
  }

  /** One entity of {@code contract} from query parameters, each an entity key given once. */
  static Map<String, String> keys(FeatureSetContract contract, Map<String, List<String>> query) {
    Map<String, String> keys = new LinkedHashMap<>();
    query.forEach((name, values) -> {
      if (!contract.entity().keyNames().contains(name)) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Unknown key '" + name + "' for feature set " + contract.name()
            + Problems.didYouMean(name, contract.entity().keyNames()) + " (keys: " + contract.entity().keyNames() + ")");
      }
      if (values.size() != 1) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Key '" + name + "' is given " + values.size() + " times; expected once");
      }
      keys.put(name, values.get(0));
    });
    return keys;
  }

  private static List<String> features(JsonNode node) {
    if (node == null || !node.isArray()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "features: expected an array of references such as \"customer_activity:txn_count_1h\", got " + describe(node));
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      if (!node.get(i).isTextual()) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "features[" + i + "]: expected a string, got " + describe(node.get(i)));
      }
      out.add(node.get(i).asText());
    }
    return out;
  }

  private static List<Map<String, String>> entities(JsonNode node) {
    if (node == null || !node.isArray()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
          "entities: expected an array of key objects such as {\"customer_id\": \"c-1\"}, got " + describe(node));
    }
    List<Map<String, String>> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode e = node.get(i);
      if (!e.isObject()) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "entities[" + i + "]: expected an object of keys, got " + describe(e));
      }
      Map<String, String> keys = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        JsonNode v = f.getValue();
        if (!(v.isTextual() || v.isIntegralNumber())) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT,
              "entities[" + i + "]." + f.getKey() + ": expected a string or an integer, got " + describe(v));
        }
        keys.put(f.getKey(), v.asText());
      }
      out.add(keys);
    }
    return out;
  }

  private static String describe(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing";
    }
    String text = n.toString();
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }
}
