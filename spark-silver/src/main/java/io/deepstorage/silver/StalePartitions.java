package io.deepstorage.silver;

import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Silver partitions the run recomputed but no longer holds rows for. An operation's date partition can move
 * (an event committed late with an earlier occurred_at moves first_event_at back), and dynamic overwrite only
 * replaces the partitions written, so its old partition would keep a stale copy. Every partition dated on or
 * after the earliest bronze date was fully recomputed from bronze, so one that was not written is stale; older
 * partitions (bronze keeps 90 days, silver 365) are never touched. Pure.
 */
public final class StalePartitions {
    private StalePartitions() {}

    /** @param existing and {@code written}: relative dirs like "client_id=1/date=2024-03-01" */
    public static List<String> find(Collection<String> existing, Collection<String> written, LocalDate recomputedFrom) {
        Set<String> kept = Set.copyOf(written);
        return existing.stream()
                .filter(partition -> !kept.contains(partition))
                .filter(partition -> dateOf(partition) != null && !dateOf(partition).isBefore(recomputedFrom))
                .sorted()
                .toList();
    }

    static LocalDate dateOf(String partition) {
        for (String segment : partition.split("/")) {
            if (segment.startsWith("date=")) {
                try {
                    return LocalDate.parse(segment.substring("date=".length()));
                } catch (java.time.DateTimeException notADate) {
                    return null;
                }
            }
        }
        return null;
    }
}
