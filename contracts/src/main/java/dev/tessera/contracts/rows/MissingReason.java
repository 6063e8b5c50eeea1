package dev.tessera.contracts.rows;

/** Why a feature of a stored row has no value to serve (other than a computed null). */
public enum MissingReason {
  /** The row was written by a contract version without this feature; a backfill rewrites it. */
  NOT_IN_ROW_VERSION,
  /** The feature was added by a minor version and its history has not been backfilled yet. */
  BACKFILL_PENDING,
  /** The feature was removed by a minor version (after being deprecated); it has no values any more. */
  REMOVED,
  /** The row cannot be read with today's contract (an unknown writer schema or an incompatible type). */
  UNREADABLE;

  /** How the API names it. */
  public String code() {
    return name();
  }
}
