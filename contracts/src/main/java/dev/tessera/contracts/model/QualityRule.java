package dev.tessera.contracts.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A check every source event must pass; an event that fails any rule goes to the DLQ with the
 * rule in its reason header.
 */
public sealed interface QualityRule extends java.io.Serializable {
  /** The source field the rule checks. */
  String field();

  /** The rule's YAML name. */
  String rule();

  /** The field must be present and not null. */
  record NotNull(String field) implements QualityRule {
    public NotNull {
      requireNonNull(field, "field is null");
    }

    @Override
    public String rule() {
      return "not_null";
    }
  }

  /** A numeric field must lie in {@code [min, max]}; a null bound is open. Nulls pass. */
  record Range(String field, Double min, Double max) implements QualityRule {
    public Range {
      requireNonNull(field, "field is null");
      if (min == null && max == null) {
        throw new IllegalArgumentException("Cannot create range rule on '" + field + "': no bound");
      }
      if (min != null && max != null && min > max) {
        throw new IllegalArgumentException(
            "Cannot create range rule on '" + field + "': min " + min + " > max " + max);
      }
    }

    @Override
    public String rule() {
      return "range";
    }
  }

  /** A field's value (as text) must be one of the listed values. Nulls pass. */
  record AcceptedValues(String field, List<String> values) implements QualityRule {
    public AcceptedValues {
      requireNonNull(field, "field is null");
      values = List.copyOf(requireNonNull(values, "values is null"));
      if (values.isEmpty()) {
        throw new IllegalArgumentException(
            "Cannot create accepted_values rule on '" + field + "': no values");
      }
    }

    @Override
    public String rule() {
      return "accepted_values";
    }
  }

  /** A string field must match the whole regular expression. Nulls pass. */
  record Regex(String field, String pattern) implements QualityRule {
    public Regex {
      requireNonNull(field, "field is null");
      requireNonNull(pattern, "pattern is null");
      java.util.regex.Pattern.compile(pattern);
    }

    @Override
    public String rule() {
      return "regex";
    }
  }
}
