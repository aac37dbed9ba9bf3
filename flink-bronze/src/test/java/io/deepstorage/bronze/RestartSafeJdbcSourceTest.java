package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.connector.jdbc.source.JdbcSource;
import org.apache.flink.connector.jdbc.source.enumerator.JdbcSourceEnumeratorState;
import org.apache.flink.connector.jdbc.source.split.JdbcSourceSplit;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.junit.jupiter.api.Test;

/**
 * A restored replay source hands out each chunk once: the enumerator of a checkpoint taken before any chunk was read
 * holds every chunk, and after a restore it still holds every chunk once (Flink's JdbcSource 3.2.0 holds each twice).
 */
class RestartSafeJdbcSourceTest {
    private static final int CHUNKS = 4;

    @Test
    void aRestoredEnumeratorHandsOutEachChunkOnce() throws Exception {
        JdbcSource<String> upstream = source();
        assertThat(remainingAfterRestore(new RestartSafeJdbcSource<>(upstream))).isEqualTo(CHUNKS);
        // What it fixes, as Flink's JdbcSource 3.2.0 behaves on its own: every chunk twice.
        assertThat(remainingAfterRestore(upstream)).isEqualTo(2 * CHUNKS);
    }

    private static int remainingAfterRestore(Source<String, JdbcSourceSplit, JdbcSourceEnumeratorState> source)
            throws Exception {
        SplitEnumerator<JdbcSourceSplit, JdbcSourceEnumeratorState> first = source.createEnumerator(new NoReaders());
        first.start();
        JdbcSourceEnumeratorState checkpoint = first.snapshotState(1);
        assertThat(checkpoint.getRemainingSplits()).hasSize(CHUNKS);
        var serializer = source.getEnumeratorCheckpointSerializer();
        JdbcSourceEnumeratorState restored = serializer.deserialize(serializer.getVersion(), serializer.serialize(checkpoint));
        SplitEnumerator<JdbcSourceSplit, JdbcSourceEnumeratorState> second = source.restoreEnumerator(new NoReaders(), restored);
        second.start();
        return second.snapshotState(2).getRemainingSplits().size();
    }

    private static JdbcSource<String> source() {
        return JdbcSource.<String>builder()
                .setDBUrl("jdbc:postgresql://127.0.0.1:1/never-connected")
                .setDriverName("org.postgresql.Driver")
                .setUsername("u")
                .setPassword("p")
                .setSql("SELECT event_id::text FROM stop_events WHERE event_id BETWEEN ?::uuid AND ?::uuid")
                .setJdbcParameterValuesProvider(() -> OutboxRows.chunkBounds(CHUNKS))
                .setResultExtractor(rs -> rs.getString(1))
                .setTypeInformation(Types.STRING)
                .build();
    }

    /** An enumerator context with no reader registered yet: nothing is assigned, everything stays in the state. */
    private static final class NoReaders implements SplitEnumeratorContext<JdbcSourceSplit> {
        @Override public SplitEnumeratorMetricGroup metricGroup() { throw new UnsupportedOperationException(); }
        @Override public void sendEventToSourceReader(int subtaskId, SourceEvent event) {}
        @Override public int currentParallelism() { return 1; }
        @Override public Map<Integer, ReaderInfo> registeredReaders() { return Map.of(); }
        @Override public void assignSplits(SplitsAssignment<JdbcSourceSplit> newSplitAssignments) {
            throw new AssertionError("no reader asked for a split");
        }
        @Override public void signalNoMoreSplits(int subtask) {}
        @Override public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {}
        @Override public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler, long delay, long period) {}
        @Override public void runInCoordinatorThread(Runnable runnable) { runnable.run(); }
    }
}
