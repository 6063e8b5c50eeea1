package dev.tessera.online.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.contracts.api.ErrorCode;
import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.contracts.api.TesseraException;
import dev.tessera.online.arrow.ArrowBatches;
import dev.tessera.online.lookup.FeatureLookup;
import dev.tessera.online.lookup.FeatureSelection;
import dev.tessera.online.service.OnlineService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Online lookups: one entity as JSON, or many entities as JSON or as an Arrow IPC stream. */
@Path("/v1/features")
@Tag(name = "features", description = "Online feature lookups")
public class FeaturesResource {
  static final String ARROW = ArrowBatches.MEDIA_TYPE;

  @Inject ServiceLifecycle lifecycle;
  @Inject ObjectMapper json;

  @GET
  @Path("/{featureSet}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Every feature of one feature set for one entity",
      description = "Query parameters are the entity keys, e.g. ?customer_id=c-1. Values are null unless status is OK; "
          + "EXPIRED (older than the contract's TTL) keeps event_time and age_ms.")
  @APIResponse(responseCode = "200", description = "The feature vector",
      content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "ok", value = """
          {"entity":{"customer_id":"c-1"},"feature_sets":{"customer_activity":{"status":"OK","event_time":1767225600000,
          "age_ms":1200,"values":{"txn_count_1h":3,"amount_sum_24h":120.5,"amount_avg_7d":40.2,"amount_max_24h":99.0,"last_country":"DE"}}}}""")))
  @APIResponse(responseCode = "400", description = "A missing, unknown or malformed key, named")
  @APIResponse(responseCode = "401", description = "No or an unknown API key")
  @APIResponse(responseCode = "403", description = "The API key's consumer is not listed by the contract")
  @APIResponse(responseCode = "404", description = "Unknown feature set, named")
  @APIResponse(responseCode = "503", description = "Overloaded, or still catching up with the changelog (Retry-After)")
  public Map<String, Object> get(@PathParam("featureSet") String featureSet, @Context UriInfo uri,
      @Parameter(description = "API key") @HeaderParam(AccessControl.HEADER) String apiKey) {
    long start = System.nanoTime();
    String consumer = lifecycle.access().authenticate(apiKey);
    OnlineService service = lifecycle.service();
    FeatureSetContract contract = service.contract(featureSet);
    lifecycle.access().authorize(consumer, contract);
    requireReady(service);
    Map<String, String> keys = new LinkedHashMap<>();
    uri.getQueryParameters().forEach((name, values) -> {
      if (!contract.entity().keyNames().contains(name)) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Unknown key '" + name + "' for feature set " + featureSet
            + dev.tessera.contracts.parser.Problems.didYouMean(name, contract.entity().keyNames()) + " (keys: " + contract.entity().keyNames() + ")");
      }
      if (values.size() != 1) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Key '" + name + "' is given " + values.size() + " times; expected once");
      }
      keys.put(name, values.get(0));
    });
    FeatureSelection selection = FeatureSelection.all(contract);
    OnlineService.EntityResult result = service.lookup(selection, List.of(keys)).get(0);
    service.recordLatency(selection, "get", System.nanoTime() - start);
    return render(result);
  }

  @POST
  @Path("/lookup")
  @Consumes({MediaType.APPLICATION_JSON, ARROW})
  @Produces({MediaType.APPLICATION_JSON, ARROW})
  @Operation(summary = "Many features of many entities, as JSON or as an Arrow IPC stream",
      description = "JSON body {\"features\": [\"customer_activity:txn_count_1h\", \"merchant_risk:*\"], \"entities\": [{\"customer_id\": \"c-1\", "
          + "\"merchant_id\": \"m-9\"}]}. With Accept: " + ARROW + " the answer is an Arrow IPC stream: one row per entity in request "
          + "order, columns <featureSet>__<feature> and <featureSet>__event_time. An Arrow IPC body of key columns is accepted too; "
          + "then the features come as ?features=customer_activity:*&features=merchant_risk:risk_score.")
  @RequestBody(content = {
      @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "lookup", value = """
          {"features":["customer_activity:txn_count_1h","merchant_risk:*"],"entities":[{"customer_id":"c-1","merchant_id":"m-9"}]}""")),
      @Content(mediaType = ARROW)})
  @APIResponse(responseCode = "200", description = "One result per entity, in request order",
      content = {@Content(mediaType = MediaType.APPLICATION_JSON), @Content(mediaType = ARROW)})
  @APIResponse(responseCode = "400", description = "A malformed body, or a missing or malformed key (named, with the entity's index)")
  @APIResponse(responseCode = "401", description = "No or an unknown API key")
  @APIResponse(responseCode = "403", description = "The API key's consumer is not listed by a requested feature set's contract")
  @APIResponse(responseCode = "404", description = "Unknown feature set or feature, named")
  @APIResponse(responseCode = "413", description = "Body over tessera.online.max-body-size, or more entities than tessera.online.max-entities")
  @APIResponse(responseCode = "503", description = "Overloaded, or still catching up with the changelog (Retry-After)")
  public Response lookup(byte[] body, @HeaderParam("Content-Type") String contentType, @HeaderParam("Accept") String accept,
      @QueryParam("features") List<String> featureParams, @HeaderParam(AccessControl.HEADER) String apiKey) {
    long start = System.nanoTime();
    String consumer = lifecycle.access().authenticate(apiKey);
    OnlineService service = lifecycle.service();
    List<String> features;
    List<Map<String, String>> entities;
    if (contentType != null && contentType.startsWith(ARROW)) {
      features = new ArrayList<>();
      for (String p : featureParams) {
        for (String f : p.split(",")) {
          if (!f.isBlank()) {
            features.add(f.trim());
          }
        }
      }
      entities = ArrowBatches.readKeys(lifecycle.allocator(), body);
    } else {
      JsonNode root = parse(body);
      features = featureList(root.get("features"));
      entities = entityList(root.get("entities"));
    }
    FeatureSelection selection = service.select(features);
    for (FeatureSelection.Part part : selection.parts()) {
      lifecycle.access().authorize(consumer, part.contract());
    }
    requireReady(service);
    Response response;
    if (accept != null && accept.contains(ARROW)) {
      response = Response.ok(service.lookupArrow(selection, entities, lifecycle.allocator()), ARROW).build();
      service.recordLatency(selection, "lookup_arrow", System.nanoTime() - start);
    } else {
      List<OnlineService.EntityResult> results = service.lookup(selection, entities);
      List<Map<String, Object>> rendered = new ArrayList<>(results.size());
      results.forEach(r -> rendered.add(render(r)));
      response = Response.ok(Map.of("results", rendered), MediaType.APPLICATION_JSON_TYPE).build();
      service.recordLatency(selection, "lookup_json", System.nanoTime() - start);
    }
    return response;
  }

  private static void requireReady(OnlineService service) {
    if (!service.ready()) {
      throw new TesseraException(ErrorCode.UNAVAILABLE, "Not ready: " + service.notReadyReason());
    }
  }

  static Map<String, Object> render(OnlineService.EntityResult r) {
    Map<String, Object> sets = new LinkedHashMap<>();
    r.featureSets().forEach((name, res) -> sets.put(name, render(res)));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("entity", r.entity());
    out.put("feature_sets", sets);
    return out;
  }

  static Map<String, Object> render(FeatureLookup.Result res) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", res.status().name());
    m.put("event_time", res.eventTime());
    m.put("age_ms", res.ageMs());
    m.put("values", res.values());
    if (!res.missing().isEmpty()) {
      m.put("missing", res.missing());
    }
    if (res.rowVersion() != null) {
      m.put("row_version", res.rowVersion());
    }
    return m;
  }

  private JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Empty body: expected {\"features\": [...], \"entities\": [...]}");
    }
    try {
      JsonNode root = json.readTree(body);
      if (root == null || !root.isObject()) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Body: expected a JSON object {\"features\": [...], \"entities\": [...]}");
      }
      return root;
    } catch (IOException e) {
      String msg = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Body: not valid JSON (" + msg + ")");
    }
  }

  private static List<String> featureList(JsonNode node) {
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

  private static List<Map<String, String>> entityList(JsonNode node) {
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
