package io.deepstorage.bronze;

import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;

/**
 * Passes records on at most {@code rowsPerSecond} across all subtasks (each takes its share); the wait backpressures
 * the source, so a replay reads the primary no faster.
 */
public final class Throttle<T> extends RichMapFunction<T, T> {
    private static final long serialVersionUID = 1L;

    private final int rowsPerSecond;
    private transient long intervalNanos;
    private transient long next;

    public Throttle(int rowsPerSecond) {
        if (rowsPerSecond <= 0) {
            throw new IllegalArgumentException("rowsPerSecond must be positive: " + rowsPerSecond);
        }
        this.rowsPerSecond = rowsPerSecond;
    }

    @Override
    public void open(Configuration parameters) {
        int subtasks = getRuntimeContext().getNumberOfParallelSubtasks();
        intervalNanos = 1_000_000_000L * subtasks / rowsPerSecond;
        next = System.nanoTime();
    }

    @Override
    public T map(T value) throws InterruptedException {
        long now = System.nanoTime();
        if (next > now) {
            Thread.sleep((next - now) / 1_000_000, (int) ((next - now) % 1_000_000));
        }
        next = Math.max(next, now) + intervalNanos;
        return value;
    }
}
