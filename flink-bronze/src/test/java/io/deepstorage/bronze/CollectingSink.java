package io.deepstorage.bronze;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * A sink (sink2) that keeps every element reaching any of its subtasks in memory under a test id, for jobs on the
 * MiniCluster of this JVM ({@link BronzeMiniCluster}). Read with {@link #collected()}, drop with {@link #forget()}.
 */
final class CollectingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Queue<Object>> COLLECTED = new ConcurrentHashMap<>();

    private final String testId;

    private CollectingSink(String testId) {
        this.testId = testId;
    }

    /** A sink collecting under {@code testId}, which no other live sink may use. */
    static <T> CollectingSink<T> create(String testId) {
        if (COLLECTED.putIfAbsent(testId, new ConcurrentLinkedQueue<>()) != null) {
            throw new IllegalStateException("a collecting sink " + testId + " exists already");
        }
        return new CollectingSink<>(testId);
    }

    /** What has reached the sink so far, in no particular order across subtasks. */
    @SuppressWarnings("unchecked")
    List<T> collected() {
        return (List<T>) List.copyOf(COLLECTED.get(testId));
    }

    void forget() {
        COLLECTED.remove(testId);
    }

    @Override
    public SinkWriter<T> createWriter(InitContext context) {
        Queue<Object> into = COLLECTED.get(testId);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                into.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
