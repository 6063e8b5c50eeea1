package dev.tessera.online.api;

import dev.tessera.contracts.api.Durations;
import dev.tessera.contracts.api.EntityKey;
import dev.tessera.contracts.api.Feature;
import dev.tessera.contracts.api.FeatureSetContract;
import dev.tessera.online.service.OnlineService;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  public Map<String, Object> list(@HeaderParam(AccessControl.HEADER) String apiKey) {
    String consumer = lifecycle.access().authenticate(apiKey);
    List<Map<String, Object>> out = new ArrayList<>();
    for (FeatureSetContract c : lifecycle.service().registry().all()) {
      out.add(describe(c, consumer));
    }
    return Map.of("feature_sets", out);
  }

  @GET
  @Path("/{name}")
  @Operation(summary = "One served feature set, with live status")
  public Map<String, Object> get(@PathParam("name") String name, @HeaderParam(AccessControl.HEADER) String apiKey) {
    String consumer = lifecycle.access().authenticate(apiKey);
    return describe(lifecycle.service().contract(name), consumer);
  }

  private Map<String, Object> describe(FeatureSetContract c, String consumer) {
    OnlineService service = lifecycle.service();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", c.name());
    m.put("version", c.version().toString());
    m.put("status", c.status().yamlName());
    m.put("description", c.description());
    m.put("owner", Map.of("team", c.owner().team(), "email", c.owner().email()));
    m.put("tags", c.tags());
    List<Map<String, Object>> keys = new ArrayList<>();
    for (EntityKey k : c.entity().keys()) {
      keys.add(Map.of("name", k.name(), "type", k.type().yamlName()));
    }
    m.put("entity", Map.of("name", c.entity().name(), "keys", keys));
    m.put("ttl", c.ttl() == null ? null : Durations.format(c.ttl()));
    List<Map<String, Object>> features = new ArrayList<>();
    for (Feature f : c.features()) {
      Map<String, Object> fm = new LinkedHashMap<>();
      fm.put("name", f.name());
      fm.put("type", f.type().yamlName());
      fm.put("description", f.description());
      fm.put("function", f.aggregate().function().yamlName());
      fm.put("window", f.aggregate().windowLength().map(Durations::format).orElse(null));
      f.deprecation().ifPresent(d -> fm.put("deprecated", Map.of("since", d.since().toString(),
          "replacement", d.replacementFeature().orElse(""))));
      features.add(fm);
    }
    m.put("features", features);
    Map<String, Object> sla = new LinkedHashMap<>();
    sla.put("freshness", c.sla().freshness() == null ? null : Durations.format(c.sla().freshness()));
    sla.put("availability_percent", c.sla().availabilityPercent());
    sla.put("latency_p99", c.sla().latencyP99() == null ? null : Durations.format(c.sla().latencyP99()));
    sla.put("completeness_percent", c.sla().completenessPercent());
    m.put("sla", sla);
    m.put("consumers", c.consumers().stream().map(x -> Map.of("name", x.name(), "team", x.team())).toList());
    m.put("readable", lifecycle.access().mayRead(consumer, c));
    m.put("changelog_topic", c.changelogTopic());
    m.put("offline_table", c.tableName());
    m.put("live", service.liveStatus(c));
    return m;
  }
}
