package dev.tessera.online.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.online.arrow.ArrowBatches;
import dev.tessera.online.lookup.FeatureSelection;
import dev.tessera.online.lookup.LookupService;
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
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Online lookups: one entity as JSON, or many entities as JSON or as an Arrow IPC stream. Each
 * method reads a {@link LookupRequest}, makes the calls (authenticate, authorize, readiness,
 * lookup) and returns a {@link LookupResponse} or an Arrow stream.
 */
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
  @APIResponse(responseCode = "410", description = "A deprecated major past its sunset; the message names the replacement")
  @APIResponse(responseCode = "503", description = "Overloaded, or still catching up with the changelog (Retry-After)")
  public Response get(@PathParam("featureSet") String featureSet, @Context UriInfo uri,
      @Parameter(description = "API key") @HeaderParam(AccessControl.HEADER) String apiKey) {
    long start = System.nanoTime();
    String consumer = lifecycle.access().authenticate(apiKey);
    LookupService lookups = lifecycle.service().lookups();
    FeatureSetContract contract = lookups.contract(featureSet);
    lifecycle.access().authorize(consumer, contract);
    lifecycle.service().readiness().require();
    FeatureSelection selection = FeatureSelection.all(featureSet, contract);
    LookupService.EntityResult result = lookups.lookup(selection, List.of(LookupRequest.keys(contract, uri.getQueryParameters()))).get(0);
    lookups.recordAnswer(consumer, selection, "get", System.nanoTime() - start);
    return DeprecationHeaders.add(Response.ok(LookupResponse.Entity.of(result, java.util.Map.of(featureSet, contract.version().toString())),
        MediaType.APPLICATION_JSON_TYPE), List.of(contract)).build();
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
  @APIResponse(responseCode = "410", description = "A requested deprecated major is past its sunset; the message names the replacement")
  @APIResponse(responseCode = "413", description = "Body over tessera.online.max-body-size, or more entities than tessera.online.max-entities")
  @APIResponse(responseCode = "503", description = "Overloaded, or still catching up with the changelog (Retry-After)")
  public Response lookup(byte[] body, @HeaderParam("Content-Type") String contentType, @HeaderParam("Accept") String accept,
      @QueryParam("features") List<String> featureParams, @HeaderParam(AccessControl.HEADER) String apiKey) {
    long start = System.nanoTime();
    String consumer = lifecycle.access().authenticate(apiKey);
    LookupService lookups = lifecycle.service().lookups();
    LookupRequest request = contentType != null && contentType.startsWith(ARROW)
        ? LookupRequest.fromArrow(lifecycle.allocator(), body, featureParams) : LookupRequest.fromJson(json, body);
    FeatureSelection selection = lookups.select(request.features());
    for (FeatureSelection.Part part : selection.parts()) {
      lifecycle.access().authorize(consumer, part.contract());
    }
    lifecycle.service().readiness().require();
    if (accept != null && accept.contains(ARROW)) {
      byte[] batch = lookups.lookupArrow(selection, request.entities(), lifecycle.allocator());
      lookups.recordAnswer(consumer, selection, "lookup_arrow", System.nanoTime() - start);
      return DeprecationHeaders.add(Response.ok(batch, ARROW), contracts(selection)).build();
    }
    java.util.Map<String, String> versions = new java.util.HashMap<>();
    selection.parts().forEach(p -> versions.put(p.name(), p.contract().version().toString()));
    LookupResponse answer = LookupResponse.of(lookups.lookup(selection, request.entities()), versions);
    lookups.recordAnswer(consumer, selection, "lookup_json", System.nanoTime() - start);
    return DeprecationHeaders.add(Response.ok(answer, MediaType.APPLICATION_JSON_TYPE), contracts(selection)).build();
  }

  private static List<FeatureSetContract> contracts(FeatureSelection selection) {
    return selection.parts().stream().map(FeatureSelection.Part::contract).toList();
  }
}
