package dev.tessera.model.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.config.ModelOptions;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.model.config.ModelConfig;
import dev.tessera.model.predict.Deployment;
import dev.tessera.model.predict.Gates;
import dev.tessera.model.predict.ModelVersion;
import dev.tessera.model.predict.Prediction;
import dev.tessera.model.predict.Predictor;
import dev.tessera.model.predict.VersionStats;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The model's API: predict (JSON or Arrow IPC, micro-batched), its status with the promotion
 * gates, and the admin actions promote and rollback (API keys of consumer {@code *}).
 */
@Path("/v1/models/{name}")
@Tag(name = "models", description = "Predictions of the served model, and its rollout")
public class ModelsResource {
  public static final String ARROW = ArrowPredictions.MEDIA_TYPE;
  public static final String API_KEY = "X-API-Key";
  public static final String REQUEST_ID = "X-Request-Id";

  @Inject ModelServer server;
  @Inject ObjectMapper json;

  @POST
  @Path("/predict")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces({MediaType.APPLICATION_JSON, ARROW})
  @Operation(summary = "Predictions for entities: features fetched, the model run, in request order",
      description = "Body {\"entities\": [{<key>: <value>}], \"return_features\": false}. Concurrent requests are micro-batched.")
  @APIResponse(responseCode = "200", description = "One prediction per entity, in request order")
  @APIResponse(responseCode = "400", description = "A malformed body, or an entity without the model's keys (named, with its index)")
  @APIResponse(responseCode = "401", description = "No or an unknown API key")
  @APIResponse(responseCode = "404", description = "Another model's name")
  @APIResponse(responseCode = "413", description = "More entities than tessera.model.max-entities")
  @APIResponse(responseCode = "422", description = "Every entity lacks an input whose missing policy is reject")
  @APIResponse(responseCode = "503", description = "Overloaded, or the features cannot be fetched (Retry-After)")
  public CompletionStage<Response> predict(@PathParam("name") String name, @HeaderParam(API_KEY) String apiKey,
      @HeaderParam(REQUEST_ID) String requestId, @HeaderParam("Accept") String accept, byte[] body) {
    authorize(name, apiKey);
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (IOException e) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Cannot read the request body as JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
    if (root == null || !root.isObject() || !root.path("entities").isArray()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Expected {\"entities\": [{...}], \"return_features\": false}");
    }
    List<Map<String, String>> entities = new ArrayList<>();
    int i = 0;
    for (JsonNode e : root.path("entities")) {
      if (!e.isObject()) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "entities[" + i + "] is " + e.getNodeType().name().toLowerCase() + ", expected an object of keys");
      }
      Map<String, String> keys = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (!f.getValue().isValueNode() || f.getValue().isNull()) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "entities[" + i + "]." + f.getKey() + " is " + f.getValue()
              + ", expected a string or a number");
        }
        keys.put(f.getKey(), f.getValue().asText());
      }
      entities.add(keys);
      i++;
    }
    JsonNode rf = root.path("return_features");
    if (!rf.isMissingNode() && !rf.isBoolean()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "return_features is " + rf + ", expected true or false");
    }
    boolean arrow = accept != null && accept.contains(ARROW);
    return submit(entities, rf.asBoolean(false), requestId).thenApply(p -> arrow ? arrowAnswer(p) : jsonAnswer(p));
  }

  @POST
  @Path("/predict")
  @Consumes(ARROW)
  @Produces({ARROW, MediaType.APPLICATION_JSON})
  @Operation(summary = "Predictions for an Arrow IPC stream of entity keys; answered as Arrow unless JSON is asked for")
  public CompletionStage<Response> predictArrow(@PathParam("name") String name, @HeaderParam(API_KEY) String apiKey,
      @HeaderParam(REQUEST_ID) String requestId, @HeaderParam("Accept") String accept,
      @QueryParam("return_features") boolean returnFeatures, byte[] body) {
    authorize(name, apiKey);
    List<Map<String, String>> entities = ArrowPredictions.readEntities(body);
    boolean asJson = accept != null && accept.contains(MediaType.APPLICATION_JSON) && !accept.contains(ARROW);
    return submit(entities, returnFeatures, requestId).thenApply(p -> asJson ? jsonAnswer(p) : arrowAnswer(p));
  }

  private CompletionStage<Prediction> submit(List<Map<String, String>> entities, boolean returnFeatures, String requestId) {
    ModelConfig config = server.runtime().config();
    int max = server.runtime().tessera().get(ModelOptions.MAX_ENTITIES);
    if (entities.isEmpty()) {
      throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "entities is empty: give at least one entity with keys " + config.entityKeys());
    }
    if (entities.size() > max) {
      throw new TesseraException(ErrorCode.PAYLOAD_TOO_LARGE, entities.size() + " entities in one request; at most " + max
          + " (tessera.model.max-entities): split the request");
    }
    for (int i = 0; i < entities.size(); i++) {
      Map<String, String> e = entities.get(i);
      for (String k : config.entityKeys()) {
        String v = e.get(k);
        if (v == null || v.isEmpty()) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "entities[" + i + "] has no " + k + ": the model's entity keys are " + config.entityKeys());
        }
      }
      for (String k : e.keySet()) {
        if (!config.entityKeys().contains(k)) {
          throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "entities[" + i + "] has unknown key '" + k + "': the model's entity keys are "
              + config.entityKeys());
        }
      }
    }
    String id = requestId == null || requestId.isBlank() ? UUID.randomUUID().toString() : requestId.trim();
    return server.predictor().submit(new Predictor.Request(id, entities, returnFeatures)).thenApply(p -> {
      if (p.allRejected()) {
        throw new TesseraException(ErrorCode.MISSING_FEATURES, (p.entities().size() == 1 ? "The entity lacks " : "Every entity lacks inputs; the first lacks ")
            + p.entities().get(0).rejected() + ", whose missing policy is reject (the model config's missing)");
      }
      return p;
    });
  }

  private Response jsonAnswer(Prediction p) {
    ObjectNode root = json.createObjectNode();
    ModelConfig config = server.runtime().config();
    root.put("model", config.name());
    root.put("version", p.version().version().toString());
    root.put("request_id", p.requestId());
    ArrayNode predictions = root.putArray("predictions");
    for (Prediction.Entity e : p.entities()) {
      ObjectNode o = predictions.addObject();
      ObjectNode entity = o.putObject("entity");
      e.keys().forEach(entity::put);
      if (e.rejected() != null) {
        o.putObject("error").put("code", ErrorCode.MISSING_FEATURES.name()).put("status", 422)
            .put("message", "Missing " + e.rejected() + ", whose missing policy is reject");
        continue;
      }
      ObjectNode outputs = o.putObject("outputs");
      e.outputs().forEach((k, v) -> {
        if (v instanceof double[] a) {
          ArrayNode arr = outputs.putArray(k);
          for (double x : a) {
            arr.add(x);
          }
        } else {
          outputs.put(k, (Double) v);
        }
      });
    }
    if (p.returnFeatures()) {
      for (int i = 0; i < p.entities().size(); i++) {
        ObjectNode f = ((ObjectNode) predictions.get(i)).putObject("features");
        double[] values = p.entities().get(i).features();
        for (int c = 0; c < values.length; c++) {
          f.put(p.featureNames().get(c), values[c]);
        }
      }
    }
    return Response.ok(root, MediaType.APPLICATION_JSON_TYPE).header("Tessera-Model-Version", p.version().version().toString()).build();
  }

  private Response arrowAnswer(Prediction p) {
    byte[] bytes = ArrowPredictions.write(p, server.runtime().config());
    return Response.ok(bytes, ARROW).header("Tessera-Model-Version", p.version().version().toString()).build();
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "The model's deployment: versions, mode, statistics, and the candidate's promotion gates")
  public ObjectNode status(@PathParam("name") String name, @HeaderParam(API_KEY) String apiKey) {
    authorize(name, apiKey);
    return describe(server.runtime().deployment().get());
  }

  @POST
  @Path("/promote")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Swaps the candidate in when every promotion gate passes (admin: consumer *)")
  @APIResponse(responseCode = "409", description = "A gate failed (each named), or there is no candidate")
  public ObjectNode promote(@PathParam("name") String name, @HeaderParam(API_KEY) String apiKey) {
    admin(name, apiKey);
    return describe(server.promote());
  }

  @POST
  @Path("/rollback")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Restores the deployment before the last promotion (admin: consumer *)")
  @APIResponse(responseCode = "409", description = "Nothing to roll back")
  public ObjectNode rollback(@PathParam("name") String name, @HeaderParam(API_KEY) String apiKey) {
    admin(name, apiKey);
    return describe(server.rollback());
  }

  private ObjectNode describe(Deployment d) {
    ModelConfig config = server.runtime().config();
    ObjectNode root = json.createObjectNode();
    root.put("model", config.name());
    root.put("state", d.state());
    root.put("provider", config.runtime().provider().yamlName());
    ObjectNode features = root.putObject("features").put("mode", config.features().yamlName());
    ArrayNode reads = features.putArray("reads"); // the majors pinned at start-up
    server.runtime().pinned().values().forEach(reads::add);
    version(root.putObject("primary"), d.primary());
    if (d.candidate() != null) {
      ObjectNode c = root.putObject("candidate");
      version(c, d.candidate());
      c.put("mode", d.mode().yamlName());
      if (d.mode() == ModelConfig.Mode.CANARY) {
        c.put("weight", d.weight());
      }
      ArrayNode gates = c.putArray("gates");
      for (Gates.Gate g : server.gates(d)) {
        gates.addObject().put("gate", g.name()).put("passed", g.passed()).put("value", g.value()).put("limit", g.limit()).put("message", g.message());
      }
    }
    if (d.previous() != null) {
      root.putObject("previous").put("primary", d.previous().primary().version().toString());
    }
    if (server.log() != null) {
      root.putObject("log").put("topic", server.log().topic()).put("written", server.log().written()).put("dropped", server.log().dropped());
    }
    return root;
  }

  private static void version(ObjectNode o, ModelVersion v) {
    VersionStats.Snapshot s = v.stats().snapshot();
    o.put("version", v.version().toString());
    o.put("artifact", v.artifact());
    ObjectNode stats = o.putObject("stats");
    stats.put("requests", s.requests()).put("entities", s.entities());
    if (!Double.isNaN(s.p50Millis())) {
      stats.put("p50_ms", s.p50Millis()).put("p99_ms", s.p99Millis());
    }
    if (!Double.isNaN(s.disagreement())) {
      stats.put("disagreement", s.disagreement()).put("compared", s.compared());
    }
  }

  private void authorize(String name, String apiKey) {
    server.runtime().authenticate(apiKey);
    if (!server.runtime().config().name().equals(name)) {
      throw new TesseraException(ErrorCode.NOT_FOUND, "Unknown model '" + name + "': this service serves '" + server.runtime().config().name() + "'");
    }
  }

  private void admin(String name, String apiKey) {
    String consumer = server.runtime().authenticate(apiKey);
    if (consumer != null && !consumer.equals("*")) {
      throw new TesseraException(ErrorCode.FORBIDDEN, "Consumer '" + consumer + "' may not promote or roll back: use an API key of consumer '*'");
    }
    authorize(name, apiKey);
  }
}
