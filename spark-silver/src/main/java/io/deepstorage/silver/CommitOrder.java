package io.deepstorage.silver;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order in which bronze rows were committed in the outbox. occurred_at is app time, not commit order, so
 * streamed rows are ordered by their WAL position (commit LSN, then the change's LSN). Rows without a WAL position
 * (read by a snapshot or a replay) come first, ordered by the best evidence they carry: their transaction's commit
 * time (a replay, when PostgreSQL tracks commit timestamps), then their inserting transaction id (a replay), then
 * occurred_at, then event_seq (nulls last), then event_id. Heuristic: a transaction id orders transactions by when
 * they first wrote, not by when they committed; rows of one transaction, and rows with no evidence (the CDC
 * snapshot), fall back to occurred_at. Not event_seq first: it is NULL for some events of an operation and set for
 * others, so it cannot order them (a sequenced EXECUTED would sort before an unsequenced SUBMITTED). Ties between
 * copies of one change fall to the later ingestion.
 */
public final class CommitOrder {
    private CommitOrder() {}

    private static final Comparator<BronzeRecord> SNAPSHOT = Comparator
            .comparing(BronzeRecord::sourceCommitTs, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(BronzeRecord::sourceTxId, Comparator.nullsLast(Comparator.<Long>naturalOrder()))
            .thenComparing(BronzeRecord::occurredAt)
            .thenComparing(BronzeRecord::eventSeq, Comparator.nullsLast(Comparator.<Long>naturalOrder()))
            .thenComparing(BronzeRecord::eventId);

    private static final Comparator<BronzeRecord> STREAM = Comparator
            .comparing(BronzeRecord::sourceCommitLsn)
            .thenComparing(BronzeRecord::sourceLsn, Comparator.nullsFirst(Comparator.<Long>naturalOrder()))
            .thenComparing(BronzeRecord::eventId);

    private static final Comparator<BronzeRecord> INGESTION =
            Comparator.comparing(BronzeRecord::ingestedAt, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()));

    public static final Comparator<BronzeRecord> COMPARATOR = (a, b) -> {
        if (a.isStreamed() != b.isStreamed()) {
            return a.isStreamed() ? 1 : -1;
        }
        int byPosition = a.isStreamed() ? STREAM.compare(a, b) : SNAPSHOT.compare(a, b);
        return byPosition != 0 ? byPosition : INGESTION.compare(a, b);
    };

    /** The rows sorted in commit order. */
    public static List<BronzeRecord> sorted(Collection<BronzeRecord> rows) {
        return rows.stream().sorted(COMPARATOR).toList();
    }

    /**
     * Each event_id once, as its latest version (the greatest in commit order: replays and re-deliveries are
     * copies, UPDATE rows are later versions), placed where that latest version was committed.
     */
    public static List<BronzeRecord> latestVersions(Collection<BronzeRecord> rows) {
        Map<String, BronzeRecord> latest = new LinkedHashMap<>();
        for (BronzeRecord row : sorted(rows)) {
            latest.remove(row.eventId());
            latest.put(row.eventId(), row);
        }
        return List.copyOf(latest.values());
    }
}
