package dev.tessera.ingest.decode;

import static java.util.Objects.requireNonNull;

/** The outcome of decoding and validating one payload: an accepted event or a rejection. */
public sealed interface Decoded {
  record Accepted(SourceEvent event) implements Decoded {
    public Accepted {
      requireNonNull(event, "event is null");
    }
  }

  /** A rejection with its reason and a detail naming the field, value and expectation. */
  record Rejected(RejectReason reason, String detail) implements Decoded {
    public Rejected {
      requireNonNull(reason, "reason is null");
      requireNonNull(detail, "detail is null");
    }
  }
}
