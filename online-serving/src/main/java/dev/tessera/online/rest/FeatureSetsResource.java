package dev.tessera.online.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.online.catalog.FeatureSetView;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The catalog of served feature sets from their contracts, with live status. */
@Path("/v1/feature-sets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "catalog", description = "Served feature sets: contracts and live status")
public class FeatureSetsResource {
  @Inject ServiceLifecycle lifecycle;

  @GET
  @Operation(summary = "Every served feature set: owner, features, SLA, consumers, and live status",
      description = "Live status: freshness lag p50/p99 (event time to visible online, over recent rows), changelog lag in records, "
          + "and completeness (the share of lookups answered OK). 'readable' says whether the caller's consumer may read it.")
  public Catalog list(@HeaderParam(AccessControl.HEADER) String apiKey) {
    String consumer = lifecycle.access().authenticate(apiKey);
    return new Catalog(lifecycle.service().catalog().all(c -> lifecycle.access().mayRead(consumer, c)));
  }

  @GET
  @Path("/{name}")
  @Operation(summary = "One served feature set, with live status")
  public FeatureSetView get(@PathParam("name") String name, @HeaderParam(AccessControl.HEADER) String apiKey) {
    String consumer = lifecycle.access().authenticate(apiKey);
    FeatureSetContract c = lifecycle.service().contract(name);
    return lifecycle.service().catalog().describe(c, lifecycle.access().mayRead(consumer, c));
  }

  /** Every served feature set. */
  public record Catalog(@JsonProperty("feature_sets") List<FeatureSetView> featureSets) {}
}
