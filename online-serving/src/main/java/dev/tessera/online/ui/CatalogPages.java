package dev.tessera.online.ui;

import dev.tessera.contracts.model.Durations;
import dev.tessera.contracts.model.FeatureSetContract;
import dev.tessera.contracts.model.QualityRule;
import dev.tessera.errors.ErrorCode;
import dev.tessera.errors.TesseraException;
import dev.tessera.kafka.DeadLetters;
import dev.tessera.online.catalog.ContractHistory;
import dev.tessera.online.catalog.FeatureSetView;
import dev.tessera.online.catalog.LiveStatus;
import dev.tessera.online.catalog.ModelReaders;
import dev.tessera.online.catalog.StatusHistory;
import dev.tessera.online.lookup.FeatureLookup;
import dev.tessera.online.lookup.FeatureSelection;
import dev.tessera.online.lookup.LookupService;
import dev.tessera.online.rest.ServiceLifecycle;
import dev.tessera.online.service.OnlineService;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog web UI at {@code /ui}: server-side pages (Qute templates under {@code
 * templates/ui/}) over the same service the API serves, signed in with the same API keys. An
 * index with search, a page per feature set major (contract for people, live SLA status with
 * last-hour charts, DLQ counts and samples, version history with diffs, lineage, a lookup form),
 * and pages per consumer and per source topic that lineage links to. Errors are pages, never
 * stack traces. {@code docs/catalog-ui.md} describes it.
 */
@Path("/ui")
@Produces(MediaType.TEXT_HTML)
public class CatalogPages {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogPages.class);
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  @Inject ServiceLifecycle lifecycle;
  @Inject UiSessions sessions;

  @Inject @Location("ui/index.html") Template index;
  @Inject @Location("ui/login.html") Template login;
  @Inject @Location("ui/feature-set.html") Template featureSet;
  @Inject @Location("ui/search.html") Template search;
  @Inject @Location("ui/related.html") Template related;
  @Inject @Location("ui/error.html") Template error;

  /** Who is asking: the consumer of the session, or nobody with access control off. */
  private record Who(boolean enforced, String consumer) {
    Views.Frame frame(String title, String query) {
      return new Views.Frame(title, consumer, query == null ? "" : query, enforced);
    }
  }

  /** A page needing a session: the answer, or a redirect to the sign-in form. */
  private Response page(String sid, String here, Function<Who, Response> render) {
    try {
      Optional<Who> who = who(sid);
      if (who.isEmpty()) {
        return Response.seeOther(URI.create("/ui/login?next=" + enc(here))).build();
      }
      return render.apply(who.get());
    } catch (TesseraException e) {
      return errorPage(who(sid).orElse(new Who(false, null)), e.code().httpStatus(), e.getMessage());
    } catch (RuntimeException e) {
      String id = java.util.UUID.randomUUID().toString();
      LOG.error("Catalog page {} failed, error {}", here, id, e);
      return errorPage(new Who(false, null), 500, "Internal error " + id + "; the service log has the details");
    }
  }

  private Optional<Who> who(String sid) {
    if (!lifecycle.access().enabled()) {
      return Optional.of(new Who(false, null));
    }
    return sessions.consumer(sid).map(c -> new Who(true, c));
  }

  private Response errorPage(Who who, int status, String message) {
    return html(status, error.data("frame", who.frame("Error " + status, null)).data("status", status).data("message", message).render());
  }

  private static Response html(int status, String body) {
    return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(body)
        .header("Cache-Control", "no-store").header("X-Content-Type-Options", "nosniff")
        .header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
        .build();
  }

  // ---------------------------------------------------------------------------------------------
  // sign-in

  @GET
  @Path("/login")
  public Response loginForm(@QueryParam("next") String next) {
    return html(200, login.data("frame", new Views.Frame("Sign in", null, "", false)).data("next", safeNext(next)).data("problem", null).render());
  }

  @POST
  @Path("/login")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response signIn(String body) {
    Map<String, String> form = form(body);
    String next = safeNext(form.get("next"));
    try {
      String consumer = lifecycle.access().authenticate(form.getOrDefault("api_key", ""));
      if (consumer == null) {
        return Response.seeOther(URI.create(next)).build(); // access control off
      }
      String sid = sessions.start(consumer);
      return Response.seeOther(URI.create(next)).cookie(new NewCookie.Builder(UiSessions.COOKIE).value(sid).path("/ui").httpOnly(true)
          .sameSite(NewCookie.SameSite.STRICT).maxAge((int) (UiSessions.IDLE_MILLIS / 1000)).build()).build();
    } catch (TesseraException e) {
      String problem = form.getOrDefault("api_key", "").isBlank() ? "Enter an API key." : "That API key is not known to this service.";
      return html(401, login.data("frame", new Views.Frame("Sign in", null, "", false)).data("next", next).data("problem", problem).render());
    }
  }

  @POST
  @Path("/logout")
  public Response signOut(@CookieParam(UiSessions.COOKIE) String sid) {
    sessions.end(sid);
    return Response.seeOther(URI.create("/ui/login")).cookie(new NewCookie.Builder(UiSessions.COOKIE).value("").path("/ui").maxAge(0).build())
        .build();
  }

  /** Only a path of this UI: never a redirect elsewhere. */
  private static String safeNext(String next) {
    return next != null && next.startsWith("/ui") && !next.startsWith("//") && !next.contains("\\") ? next : "/ui";
  }

  // ---------------------------------------------------------------------------------------------
  // index and search

  @GET
  public Response index(@CookieParam(UiSessions.COOKIE) String sid) {
    return page(sid, "/ui", who -> {
      List<Views.Summary> sets = service().registry().allMajors().stream().map(c -> summary(who, c)).toList();
      return html(200, index.data("frame", who.frame("Feature sets", null)).data("sets", sets).render());
    });
  }

  @GET
  @Path("/search")
  public Response search(@QueryParam("q") String q, @CookieParam(UiSessions.COOKIE) String sid) {
    String query = q == null ? "" : q.trim();
    return page(sid, "/ui/search?q=" + enc(query), who -> {
      List<Views.Hit> hits = new ArrayList<>();
      String needle = query.toLowerCase(Locale.ROOT);
      if (!needle.isEmpty()) {
        for (FeatureSetContract c : service().registry().allMajors()) {
          String href = "/ui/feature-sets/" + c.majorId();
          if (matches(needle, c.name(), c.description(), c.owner().team(), String.join(" ", c.tags().values()), String.join(" ", c.tags().keySet()))) {
            hits.add(new Views.Hit("feature set", c.majorId() + " " + c.version(), href, c.description()));
          }
          for (dev.tessera.contracts.model.Feature f : c.features()) {
            if (matches(needle, f.name(), f.description())) {
              hits.add(new Views.Hit("feature", c.name() + ":" + f.name(), href + "#feature-" + f.name(),
                  f.type().yamlName() + ", " + describe(f) + (f.description() == null ? "" : ": " + f.description())));
            }
          }
        }
      }
      return html(200, search.data("frame", who.frame("Search: " + query, query)).data("query", query).data("hits", hits).render());
    });
  }

  private static boolean matches(String needle, String... texts) {
    for (String t : texts) {
      if (t != null && t.toLowerCase(Locale.ROOT).contains(needle)) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // a feature set

  @GET
  @Path("/feature-sets/{ref}")
  public Response featureSet(@PathParam("ref") String ref, @CookieParam(UiSessions.COOKIE) String sid) {
    return page(sid, "/ui/feature-sets/" + ref, who -> html(200, detailPage(who, contract(ref), null).render()));
  }

  @POST
  @Path("/feature-sets/{ref}/lookup")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response lookup(@PathParam("ref") String ref, String body, @CookieParam(UiSessions.COOKIE) String sid) {
    return page(sid, "/ui/feature-sets/" + ref, who -> {
      FeatureSetContract c = contract(ref);
      Map<String, String> form = form(body);
      Map<String, String> keys = new LinkedHashMap<>();
      c.entity().keyNames().forEach(k -> keys.put(k, form.getOrDefault("key." + k, "").trim()));
      List<Views.Field> typed = keys.entrySet().stream().map(e -> new Views.Field(e.getKey(), e.getValue())).toList();
      Views.Lookup answer;
      int status = 200;
      try {
        answer = lookup(who, c, keys, typed);
      } catch (TesseraException e) {
        status = e.code().httpStatus();
        answer = new Views.Lookup(typed, null, null, null, null, List.of(), e.getMessage());
      }
      return html(status, detailPage(who, c, answer).render());
    });
  }

  private Views.Lookup lookup(Who who, FeatureSetContract c, Map<String, String> keys, List<Views.Field> typed) {
    long start = System.nanoTime();
    if (!lifecycle.access().mayRead(who.consumer(), c)) {
      lifecycle.access().authorize(who.consumer(), c); // FORBIDDEN, naming the owner to ask
    }
    for (Map.Entry<String, String> k : keys.entrySet()) {
      if (k.getValue().isEmpty()) {
        throw new TesseraException(ErrorCode.INVALID_ARGUMENT, "Enter a value for key '" + k.getKey() + "'");
      }
    }
    service().readiness().require();
    LookupService lookups = service().lookups();
    FeatureSelection selection = FeatureSelection.all(c.majorId(), c);
    LookupService.EntityResult result = lookups.lookup(selection, List.of(keys)).get(0);
    lookups.recordAnswer(who.consumer() == null ? "ui" : who.consumer(), selection, "ui", System.nanoTime() - start);
    FeatureLookup.Result r = result.featureSets().values().iterator().next();
    List<Views.Value> values = new ArrayList<>();
    for (dev.tessera.contracts.model.Feature f : c.features()) {
      Object v = r.values() == null ? null : r.values().get(f.name());
      values.add(new Views.Value(f.name(), v == null ? "null" : String.valueOf(v), r.missing().get(f.name())));
    }
    return new Views.Lookup(typed, r.status().name(), r.eventTime() == null ? "" : TIME.format(Instant.ofEpochMilli(r.eventTime())),
        r.ageMs() == null ? "" : duration(r.ageMs()), r.rowVersion() == null ? c.version().toString() : r.rowVersion(), values, null);
  }

  private io.quarkus.qute.TemplateInstance detailPage(Who who, FeatureSetContract c, Views.Lookup lookup) {
    OnlineService service = service();
    FeatureSetView view = service.catalog().describe(c, lifecycle.access().mayRead(who.consumer(), c));
    LiveStatus live = view.live();
    long now = System.currentTimeMillis();
    List<StatusHistory.Point> hour = service.statusHistory().lastHour(c.majorId());

    List<Views.Metric> metrics = new ArrayList<>();
    Long sla = live.freshness().slaMs();
    Boolean p50Within = sla == null || live.freshness().p50Ms() == null ? null : live.freshness().p50Ms() <= sla;
    metrics.add(metric("freshness-p50", "Freshness p50", live.freshness().p50Ms(), sla, p50Within, hour, StatusHistory.Point::freshnessP50Ms, now,
        live.freshness().samples()));
    metrics.add(metric("freshness-p99", "Freshness p99", live.freshness().p99Ms(), sla, live.freshness().withinSla(), hour,
        StatusHistory.Point::freshnessP99Ms, now, live.freshness().samples()));
    LiveStatus.Completeness comp = live.completeness();
    Double target = c.sla().completenessPercent();
    String compState = comp.ratio() == null || target == null ? "unknown" : comp.ratio() * 100 >= target ? "ok" : "breach";
    metrics.add(new Views.Metric("completeness", "Completeness", comp.ratio() == null ? "no lookups yet" : percent(comp.ratio() * 100),
        target == null ? "no target in the contract" : "target " + percent(target), compState,
        Svg.chart("Completeness over the last hour, percent of lookups answered OK" + (target == null ? "" : ", target " + percent(target)),
            hour.stream().map(p -> new Svg.Point(p.at(), p.completeness() == null ? null : p.completeness() * 100)).toList(), target, now),
        String.format(Locale.ROOT, "%,d lookups: %,d OK, %,d missing, %,d expired", comp.lookups(), comp.ok(), comp.missing(), comp.expired())));
    Long lag = live.changelog() == null ? null : live.changelog().lagRecords();
    metrics.add(new Views.Metric("changelog-lag", "Changelog lag", lag == null ? "unknown" : String.format(Locale.ROOT, "%,d records", lag),
        "caught up: 0 records", lag == null ? "unknown" : lag == 0 ? "ok" : "warn",
        Svg.chart("Changelog lag over the last hour, records", hour.stream().map(p -> new Svg.Point(p.at(),
            p.changelogLag() == null ? null : p.changelogLag().doubleValue())).toList(), null, now),
        "topic " + c.changelogTopic()));

    List<Views.Count> dlq = new ArrayList<>();
    String unreplayed = "";
    if (live.dlq() != null) {
      java.util.Set<String> reasons = new java.util.TreeSet<>(live.dlq().lastDay().keySet());
      reasons.addAll(live.dlq().lastHour().keySet());
      for (String reason : reasons) {
        dlq.add(new Views.Count(reason, live.dlq().lastHour().getOrDefault(reason, 0L), live.dlq().lastDay().getOrDefault(reason, 0L)));
      }
      unreplayed = String.format(Locale.ROOT, "%,d not replayed", live.dlq().unreplayed())
          + (live.dlq().oldestUnreplayedAgeMs() == null ? "" : ", the oldest " + duration(live.dlq().oldestUnreplayedAgeMs()) + " old");
    }
    List<Views.Letter> letters = service.deadLetterSamples(c).stream().map(d -> new Views.Letter(TIME.format(Instant.ofEpochMilli(d.timestamp())),
        d.reason(), DeadLetters.maskedDetail(d.detail(), c.source().pii()), d.sourceTopic() + " partition " + d.sourcePartition()
        + " offset " + d.sourceOffset(), DeadLetters.framing(d.payload()), d.payload() == null ? 0 : d.payload().length)).toList();

    List<Views.Version> versions = new ArrayList<>();
    for (ContractHistory.Version v : service.history().versions(c.name())) {
      versions.add(new Views.Version(v.version(), TIME.format(Instant.ofEpochMilli(v.firstServedMillis())), v.previous(), v.diff(), v.requiredBump(),
          v.current()));
    }
    java.util.Collections.reverse(versions); // newest first

    List<Views.Reader> readers = readers(c, live);
    List<List<Svg.Node>> columns = List.of(
        List.of(new Svg.Node(c.source().topic(), "Kafka topic, " + c.source().format(), "/ui/topics/" + enc(c.source().topic()), "source")),
        List.of(new Svg.Node(c.majorId(), c.version() + ", online + offline", null, "feature-set")),
        readers.isEmpty() ? List.of(new Svg.Node("no readers", "none listed", null, "none"))
            : readers.stream().map(r -> new Svg.Node(r.name(), r.kind() + (r.team() == null || r.team().isEmpty() ? "" : ", " + r.team()), r.href(),
                r.kind().equals("model service") ? "model" : "consumer")).toList());
    List<String> lineageText = new ArrayList<>();
    lineageText.add("Source: Kafka topic " + c.source().topic() + " (" + c.source().format() + "), rejected events to " + c.source().dlqTopic());
    lineageText.add("Feature set " + c.majorId() + " " + c.version() + ": changelog topic " + c.changelogTopic() + " into the online store, "
        + "offline table " + c.tableName());
    readers.forEach(r -> lineageText.add("Read by " + r.kind() + " " + r.name() + (r.usage().isEmpty() ? "" : ": " + r.usage())));

    List<Views.Major> majors = service.registry().majors(c.name()).stream()
        .map(m -> new Views.Major(m.majorId(), m.version().toString(), m.status().yamlName(), m.majorVersion() == c.majorVersion())).toList();
    Views.Detail detail = new Views.Detail(summary(who, c, view), c.description(), c.owner().team(), c.owner().email(),
        c.tags().isEmpty() ? "" : c.tags().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining(", ")),
        c.ttl() == null ? "none" : Durations.format(c.ttl()), c.windowHop() == null ? "" : Durations.format(c.windowHop()),
        c.entity().keys().stream().map(k -> new Views.Key(k.name(), k.type().yamlName())).toList(),
        c.features().stream().map(f -> new Views.Feature(f.name(), f.type().yamlName(), f.aggregate().function().yamlName(),
            f.aggregate().windowLength().map(Durations::format).orElse("latest"), f.description() == null ? "" : f.description(),
            f.deprecation().map(d -> "deprecated since " + d.since() + d.replacementFeature().map(r -> ", use " + r).orElse("")).orElse(""))).toList(),
        c.quality().stream().map(CatalogPages::rule).toList(), metrics, c.source().dlqTopic(), dlq, unreplayed, letters, versions,
        Svg.lineage("Lineage of " + c.majorId() + ": source topic, feature set, readers", columns), lineageText, readers,
        c.changelogTopic(), c.tableName(), c.source().topic(), majors, c.sunset() == null ? "" : c.sunset().toString(),
        c.replacement() == null ? "" : c.replacement(), live.ready());
    List<Views.Field> keys = lookup != null ? lookup.keys() : c.entity().keyNames().stream().map(k -> new Views.Field(k, "")).toList();
    return featureSet.data("frame", who.frame(c.majorId(), null)).data("d", detail).data("lookup", lookup).data("keys", keys);
  }

  private List<Views.Reader> readers(FeatureSetContract c, LiveStatus live) {
    List<Views.Reader> out = new ArrayList<>();
    for (dev.tessera.contracts.model.Consumer consumer : c.consumers()) {
      LiveStatus.ConsumerUsage u = live.consumers() == null ? null : live.consumers().get(consumer.name());
      String usage = u == null || u.reads() == 0 ? "no reads yet" : String.format(Locale.ROOT, "%,d reads, the last at %s", u.reads(),
          TIME.format(Instant.ofEpochMilli(u.lastReadMillis())));
      out.add(new Views.Reader(consumer.name(), consumer.team(), "consumer", usage, "/ui/consumers/" + enc(consumer.name())));
    }
    for (ModelReaders.Model m : service().models()) {
      if (m.reads(c.name())) {
        out.add(new Views.Reader(m.name() + (m.version().isEmpty() ? "" : " " + m.version()), "", "model service",
            "reads as consumer " + m.consumer(), "/ui/consumers/" + enc(m.consumer())));
      }
    }
    return out;
  }

  private static Views.Metric metric(String id, String label, Long valueMs, Long slaMs, Boolean within, List<StatusHistory.Point> hour,
      Function<StatusHistory.Point, Long> series, long now, long samples) {
    String state = within == null ? "unknown" : within ? "ok" : "breach";
    return new Views.Metric(id, label, valueMs == null ? "no samples yet" : duration(valueMs),
        slaMs == null ? "no freshness SLA in the contract" : "SLA " + duration(slaMs), state,
        Svg.chart(label + " over the last hour, milliseconds" + (slaMs == null ? "" : ", SLA " + duration(slaMs)),
            hour.stream().map(p -> new Svg.Point(p.at(), series.apply(p) == null ? null : series.apply(p).doubleValue())).toList(),
            slaMs == null ? null : slaMs.doubleValue(), now),
        String.format(Locale.ROOT, "event time to visible online, over %,d recent rows", samples));
  }

  private Views.Summary summary(Who who, FeatureSetContract c) {
    return summary(who, c, service().catalog().describe(c, lifecycle.access().mayRead(who.consumer(), c)));
  }

  private static Views.Summary summary(Who who, FeatureSetContract c, FeatureSetView view) {
    LiveStatus.Freshness f = view.live().freshness();
    String sla = f.withinSla() == null ? "unknown" : f.withinSla() ? "ok" : "breach";
    String slaText;
    if (f.slaMs() == null) {
      slaText = "no freshness SLA";
    } else if (f.p99Ms() == null) {
      slaText = "freshness SLA " + duration(f.slaMs()) + ", no samples yet";
    } else {
      slaText = "freshness p99 " + duration(f.p99Ms()) + (f.withinSla() ? " within" : " over") + " SLA " + duration(f.slaMs());
    }
    long dlqHour = view.live().dlq() == null ? 0 : view.live().dlq().lastHour().values().stream().mapToLong(Long::longValue).sum();
    return new Views.Summary(c.majorId(), c.name(), c.majorVersion(), c.version().toString(), c.status().yamlName(), c.owner().team(),
        c.description() == null ? "" : c.description(), sla, slaText, view.readable(), c.features().size(),
        view.live().dlq() == null ? "" : String.format(Locale.ROOT, "%,d rejected in the last hour", dlqHour));
  }

  // ---------------------------------------------------------------------------------------------
  // lineage targets

  @GET
  @Path("/consumers/{name}")
  public Response consumer(@PathParam("name") String name, @CookieParam(UiSessions.COOKIE) String sid) {
    return page(sid, "/ui/consumers/" + enc(name), who -> {
      List<Views.Hit> links = new ArrayList<>();
      for (FeatureSetContract c : service().registry().allMajors()) {
        c.consumers().stream().filter(x -> x.name().equals(name)).findFirst().ifPresent(x -> links.add(new Views.Hit("feature set",
            c.majorId() + " " + c.version(), "/ui/feature-sets/" + c.majorId(), "listed for team " + x.team())));
      }
      List<String> notes = new ArrayList<>();
      for (ModelReaders.Model m : service().models()) {
        if (m.consumer().equals(name)) {
          notes.add("Model service " + m.name() + " " + m.version() + " reads as " + name + ": " + String.join(", ", m.featureSets())
              + " (config " + m.file() + ")");
        }
      }
      if (links.isEmpty() && notes.isEmpty()) {
        throw new TesseraException(ErrorCode.NOT_FOUND, "No served contract lists consumer '" + name + "'");
      }
      return html(200, related.data("frame", who.frame("Consumer " + name, null)).data("r", new Views.Related("Consumer " + name,
          "The feature sets whose contracts list " + name + ", and the model services that read as it.", links, notes)).render());
    });
  }

  @GET
  @Path("/topics/{topic}")
  public Response topic(@PathParam("topic") String topic, @CookieParam(UiSessions.COOKIE) String sid) {
    return page(sid, "/ui/topics/" + enc(topic), who -> {
      List<Views.Hit> links = service().registry().allMajors().stream().filter(c -> c.source().topic().equals(topic))
          .map(c -> new Views.Hit("feature set", c.majorId() + " " + c.version(), "/ui/feature-sets/" + c.majorId(),
              "keys " + String.join(", ", c.entity().keyNames()) + ", event time from " + c.source().eventTime())).toList();
      if (links.isEmpty()) {
        throw new TesseraException(ErrorCode.NOT_FOUND, "No served feature set reads topic '" + topic + "'");
      }
      List<String> notes = List.of("Rejected events go to " + topic + ".tessera-dlq (see each feature set's DLQ section).");
      return html(200, related.data("frame", who.frame("Topic " + topic, null)).data("r", new Views.Related("Source topic " + topic,
          "The feature sets computed from this Kafka topic.", links, notes)).render());
    });
  }

  // ---------------------------------------------------------------------------------------------

  private OnlineService service() {
    return lifecycle.service();
  }

  private FeatureSetContract contract(String ref) {
    return service().registry().resolve(ref).orElseThrow(() -> new TesseraException(ErrorCode.NOT_FOUND, "Unknown feature set '" + ref
        + "' (served: " + String.join(", ", service().registry().references()) + ")"));
  }

  private static String rule(QualityRule r) {
    if (r instanceof QualityRule.NotNull n) {
      return n.field() + " must not be null";
    }
    if (r instanceof QualityRule.Range g) {
      return g.field() + " within [" + (g.min() == null ? "-inf" : g.min()) + ", " + (g.max() == null ? "inf" : g.max()) + "] (nulls pass)";
    }
    if (r instanceof QualityRule.AcceptedValues a) {
      return a.field() + " one of " + String.join(", ", a.values());
    }
    if (r instanceof QualityRule.Regex x) {
      return x.field() + " matches /" + x.pattern() + "/";
    }
    return r.field() + ": " + r.rule();
  }

  private static String describe(dev.tessera.contracts.model.Feature f) {
    return f.aggregate().function().yamlName() + f.aggregate().windowLength().map(w -> " over " + Durations.format(w)).orElse("");
  }

  static String duration(long ms) {
    if (ms < 1_000) {
      return ms + " ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    if (ms < 3_600_000) {
      return String.format(Locale.ROOT, "%.1f min", ms / 60_000.0);
    }
    if (ms < 172_800_000) {
      return String.format(Locale.ROOT, "%.1f h", ms / 3_600_000.0);
    }
    return String.format(Locale.ROOT, "%.1f d", ms / 86_400_000.0);
  }

  private static String percent(double p) {
    return String.format(Locale.ROOT, "%.2f%%", p);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** An application/x-www-form-urlencoded body. */
  static Map<String, String> form(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    if (body == null || body.isEmpty()) {
      return out;
    }
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(k, v);
    }
    return out;
  }
}
