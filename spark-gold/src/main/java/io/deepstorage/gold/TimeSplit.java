package io.deepstorage.gold;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Train/test by time with no leakage: the cutoff is the trigger time at the (1 - test fraction) quantile; test
 * holds triggers at or after it; train holds triggers before it whose outcome was also known before it (rows
 * whose outcome lands after the cutoff are purged, or train would learn from the test period).
 */
public final class TimeSplit {
    public enum Split { TRAIN, TEST, PURGED }

    private TimeSplit() {}

    public static Instant cutoff(Collection<Instant> triggerTimes, double testFraction) {
        if (triggerTimes.isEmpty()) {
            throw new IllegalArgumentException("no trigger times to split");
        }
        List<Instant> sorted = triggerTimes.stream().sorted().toList();
        int index = (int) Math.floor((1.0 - testFraction) * sorted.size());
        return sorted.get(Math.min(Math.max(index, 0), sorted.size() - 1));
    }

    public static Split assign(Instant triggeredAt, Instant outcomeAt, Instant cutoff) {
        if (!triggeredAt.isBefore(cutoff)) {
            return Split.TEST;
        }
        return outcomeAt.isBefore(cutoff) ? Split.TRAIN : Split.PURGED;
    }
}
