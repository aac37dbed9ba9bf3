package io.deepstorage.spark;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Wall seconds per step of a job, in the order the steps ran, for its summary ({@code step_seconds}): where a
 * scheduled run's time goes, without a profiler. A step is the time since the previous {@link #lap}.
 */
public final class StepTimes {
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private final LongSupplier nanoTime;
    private long last;

    public StepTimes() {
        this(System::nanoTime);
    }

    /** With another clock (nanoseconds), for tests. */
    StepTimes(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.last = nanoTime.getAsLong();
    }

    /** Ends the step {@code name} now (a name used twice adds up). */
    public void lap(String name) {
        long now = nanoTime.getAsLong();
        seconds.merge(name, (now - last) / 1e9, Double::sum);
        last = now;
    }

    /** The steps so far, seconds rounded to 0.01. */
    public Map<String, Double> toMap() {
        Map<String, Double> rounded = new LinkedHashMap<>();
        seconds.forEach((name, s) -> rounded.put(name, Math.round(s * 100) / 100.0));
        return Collections.unmodifiableMap(rounded);
    }
}
