package io.deepstorage.gold;

import java.time.Instant;
import java.util.Collection;
import java.util.Objects;

/**
 * Train/test by time with no leakage: the cutoff is the trigger time at the (1 - test fraction) quantile; test
 * holds triggers at or after it; train holds triggers before it whose outcome was also known before it (rows
 * whose outcome lands after the cutoff are purged, or train would learn from the test period).
 */
public final class TimeSplit {
    public enum Split { TRAIN, TEST, PURGED }

    private TimeSplit() {}

    /** The cutoff of {@code triggerTimes} (to the microsecond, as the lake keeps times): {@link #cutoffMicros}. */
    public static Instant cutoff(Collection<Instant> triggerTimes, double testFraction) {
        long[] micros = triggerTimes.stream().mapToLong(t -> GroupHistory.micros(Objects.requireNonNull(t, "a trigger time"))).toArray();
        return GroupHistory.instant(cutoffMicros(micros, testFraction));
    }

    /**
     * The trigger time at the (1 - test fraction) quantile of trigger times given as epoch microseconds (gold collects
     * them so: a sort of millions of longs, not of Instants).
     */
    public static long cutoffMicros(long[] triggerMicros, double testFraction) {
        if (triggerMicros.length == 0) {
            throw new IllegalArgumentException("no trigger times to split");
        }
        long[] sorted = triggerMicros.clone();
        java.util.Arrays.sort(sorted);
        int index = (int) Math.floor((1.0 - testFraction) * sorted.length);
        return sorted[Math.min(Math.max(index, 0), sorted.length - 1)];
    }

    public static Split assign(Instant triggeredAt, Instant outcomeAt, Instant cutoff) {
        if (!triggeredAt.isBefore(cutoff)) {
            return Split.TEST;
        }
        return outcomeAt.isBefore(cutoff) ? Split.TRAIN : Split.PURGED;
    }
}
