package dev.tessera.ingest.backfill;

import dev.tessera.ingest.decode.RejectReason;
import java.util.Map;

/**
 * What a backfill did: events read from the archive (and duplicates dropped), accepted and
 * rejected by today's contract, keys and offline rows written, the range replaced, the cut up to
 * which rows are final, the new table snapshot, the window-state bootstrap file (null without one)
 * and the latest values published to the changelog.
 */
public record BackfillResult(long archived, long duplicates, long accepted, Map<RejectReason, Long> rejected, long keys, long rows,
    long from, Long to, long cut, long snapshotId, String bootstrap, long published, long millis) {}
