package io.deepstorage.silver;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;

import io.deepstorage.schemas.LakeLayout;

/**
 * What retention keeps (the data contract): bronze 90 days, silver 365 days, gold for good. A partition goes when
 * its date is more than that many days before the as-of date. Pure.
 */
public record RetentionPolicy(int bronzeDays, int silverDays) {

    /** A date-partitioned table retention looks after, and how many partition levels it has. */
    public record Table(String path, int depth, boolean bronze) {}

    /** Gold is never among them. */
    public static final List<Table> TABLES = List.of(
            new Table(LakeLayout.BRONZE_EVENTS, 1, true),
            new Table(LakeLayout.BRONZE_DEAD_LETTERS, 1, true),
            new Table(LakeLayout.SILVER_STOP_EXECUTIONS, 2, false),
            new Table(LakeLayout.SILVER_QUARANTINE, 1, false));

    public int daysFor(Table table) {
        return table.bronze() ? bronzeDays : silverDays;
    }

    /** True when a partition of {@code table} dated {@code date} is past its age on {@code asOf}. */
    public boolean expired(Table table, LocalDate date, LocalDate asOf) {
        return date.isBefore(asOf.minusDays(daysFor(table)));
    }

    /** The date of a partition path ("client_id=1/date=2026-08-01"); a path without one is not ours to judge. */
    public static LocalDate dateOf(String partition) {
        String last = partition.substring(partition.lastIndexOf('/') + 1);
        if (!last.startsWith("date=")) {
            throw new IllegalArgumentException("partition " + partition + " has no date=YYYY-MM-DD level");
        }
        try {
            return LocalDate.parse(last.substring("date=".length()));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("partition " + partition + " has no valid date");
        }
    }
}
