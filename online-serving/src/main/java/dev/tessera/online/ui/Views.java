package dev.tessera.online.ui;

import io.quarkus.qute.TemplateData;
import java.util.List;

/** What the catalog templates show: plain values, formatted for people, built by {@link CatalogPages}. */
final class Views {
  private Views() {}

  /** What every page shows around its content: the signed-in consumer (null: access control off), and the search text. */
  @TemplateData
  record Frame(String title, String consumer, String query, boolean signedIn) {}

  /** One feature set major in the index. {@code sla}: ok, breach or unknown. */
  @TemplateData
  record Summary(String ref, String name, int major, String version, String status, String owner, String description,
      String sla, String slaText, boolean readable, int features, String dlqLastHour) {}

  @TemplateData
  record Key(String name, String type) {}

  /** A form field of the lookup form and what was typed in it. */
  @TemplateData
  record Field(String name, String value) {}

  @TemplateData
  record Feature(String name, String type, String function, String window, String description, String deprecated) {}

  /** A live number: its value now, the target, ok/breach/unknown, and its last-hour chart (SVG). */
  @TemplateData
  record Metric(String id, String label, String value, String target, String state, String chart, String note) {}

  @TemplateData
  record Count(String reason, long lastHour, long lastDay) {}

  @TemplateData
  record Letter(String when, String reason, String detail, String source, String framing, int bytes) {}

  @TemplateData
  record Version(String version, String firstServed, String previous, String diff, String bump, boolean current) {}

  @TemplateData
  record Reader(String name, String team, String kind, String usage, String href) {}

  @TemplateData
  record Value(String feature, String value, String missing) {}

  /** A lookup made from the page: the keys typed, and the answer or the error. */
  @TemplateData
  record Lookup(List<Field> keys, String status, String eventTime, String age, String version, List<Value> values, String error) {}

  /** A major of the same feature set, for the switch between them. */
  @TemplateData
  record Major(String ref, String version, String status, boolean shown) {}

  @TemplateData
  record Detail(Summary summary, String description, String team, String email, String tags, String ttl, String hop,
      List<Key> keys, List<Feature> features, List<String> quality, List<Metric> metrics, String dlqTopic, List<Count> dlq,
      String dlqUnreplayed, List<Letter> letters, List<Version> versions, String lineage, List<String> lineageText,
      List<Reader> readers, String changelogTopic, String offlineTable, String sourceTopic, List<Major> majors, String sunset,
      String replacement, boolean ready) {}

  /** A search hit: a feature set or one feature of it (deep link). */
  @TemplateData
  record Hit(String kind, String title, String href, String context) {}

  /** A page of links: the feature sets read by a consumer, or fed by a topic. */
  @TemplateData
  record Related(String heading, String intro, List<Hit> links, List<String> notes) {}
}
