package dev.tessera.online.rest;

import dev.tessera.contracts.model.ContractStatus;
import dev.tessera.contracts.model.FeatureSetContract;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What an answer from a deprecated major carries: {@code Deprecation} (RFC 9745; deprecated as of
 * the answer), {@code Sunset} (RFC 8594; the earliest sunset among the answer's feature sets), a
 * {@code Link} to each replacement ({@code rel="successor-version"}), and {@code
 * Tessera-Deprecated} naming each deprecated major with its sunset and replacement, which the SDK
 * turns into one warning per feature set.
 */
final class DeprecationHeaders {
  static final String TESSERA_DEPRECATED = "Tessera-Deprecated";

  private DeprecationHeaders() {}

  static Response.ResponseBuilder add(Response.ResponseBuilder answer, List<FeatureSetContract> contracts) {
    List<FeatureSetContract> deprecated = contracts.stream().filter(c -> c.status() == ContractStatus.DEPRECATED).distinct().toList();
    if (deprecated.isEmpty()) {
      return answer;
    }
    answer.header("Deprecation", "@" + Instant.now().getEpochSecond());
    deprecated.stream().map(FeatureSetContract::sunset).filter(Objects::nonNull).min(Comparator.naturalOrder())
        .ifPresent(day -> answer.header("Sunset", DateTimeFormatter.RFC_1123_DATE_TIME.format(day.atStartOfDay(ZoneOffset.UTC))));
    deprecated.stream().map(FeatureSetContract::replacement).filter(Objects::nonNull).distinct()
        .forEach(r -> answer.header("Link", "</v1/feature-sets/" + r.substring(0, r.indexOf('@')) + ">; rel=\"successor-version\"; title=\"" + r + "\""));
    answer.header(TESSERA_DEPRECATED, deprecated.stream().map(c -> c.majorId()
        + (c.sunset() == null ? "" : "; sunset=" + c.sunset()) + (c.replacement() == null ? "" : "; replacement=" + c.replacement()))
        .collect(Collectors.joining(", ")));
    return answer;
  }
}
