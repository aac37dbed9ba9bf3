package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.deepstorage.cli.Database;
import io.deepstorage.embedded.EmbeddedPostgres;
import io.deepstorage.embedded.OutboxSchema;
import io.deepstorage.embedded.OutboxTrafficGenerator;

/**
 * The replay's reader on a real PostgreSQL: a reader restored from a checkpoint taken half-way through a chunk
 * reads the rest of it once, even after the app inserted rows into the chunk's range meanwhile; an enumerator
 * restored from a checkpoint hands out only the chunks it had not handed out.
 */
class OutboxTableSourceIT {
    static EmbeddedPostgres postgres;
    static Database database;
    static OutboxTableSource source;
    int nextOperation = 1;

    @BeforeAll
    static void start() {
        postgres = EmbeddedPostgres.start("outbox");
        database = new Database(postgres.jdbcUrl(), postgres.user(), postgres.password());
        var window = ReplaySettings.Window.EVERYTHING;
        source = new OutboxTableSource(database,
                OutboxRows.chunkQuery("public", "stop_events", window, null, false, false),
                OutboxRows.chunkQuery("public", "stop_events", window, null, false, true), 4, 7);
    }

    @AfterAll
    static void stop() {
        postgres.close();
    }

    @BeforeEach
    void freshOutbox() throws Exception {
        try (Connection c = postgres.connect()) {
            c.createStatement().execute("DROP TABLE IF EXISTS stop_events");
            OutboxSchema.create(c);
        }
    }

    @Test
    void aReaderRestoredHalfWayThroughAChunkReadsTheRestOnceThoughTheAppInsertedIntoItMeanwhile() throws Exception {
        Set<String> history = writeOperations(60);
        OutboxChunk everything = new OutboxChunk(0, "00000000-0000-0000-0000-000000000000",
                "ffffffff-ffff-ffff-ffff-ffffffffffff", null);

        Reader first = new Reader(everything);
        List<String> beforeCrash = first.read(history.size() / 2);
        byte[] checkpoint = OutboxChunk.Serializer.INSTANCE.serialize(first.reader.snapshotState(1).get(0));
        List<String> afterCheckpoint = first.read(5); // emitted after the checkpoint: lost with the crash
        first.reader.close();

        Set<String> newRows = writeOperations(30); // random event_ids: before and after the checkpointed one
        OutboxChunk restored = OutboxChunk.Serializer.INSTANCE.deserialize(1, checkpoint);
        assertThat(restored.after()).isEqualTo(beforeCrash.get(beforeCrash.size() - 1));
        Reader second = new Reader(restored);
        List<String> resumed = second.readToEnd();

        List<String> committed = new ArrayList<>(beforeCrash);
        committed.addAll(resumed);
        Map<String, Long> copies = committed.stream().collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        assertThat(copies.values()).as("no row read twice across the restore").allMatch(n -> n == 1);
        assertThat(copies.keySet()).as("the whole history").containsAll(history);
        assertThat(resumed).containsAll(afterCheckpoint);
        // New rows after the checkpointed event_id are read; those before it are the streaming job's.
        Set<String> newAfter = newRows.stream().filter(id -> id.compareTo(restored.after()) > 0).collect(Collectors.toSet());
        assertThat(resumed).containsAll(newAfter);
        assertThat(newAfter).isNotEmpty().hasSizeLessThan(newRows.size());
    }

    @Test
    void aRestoredEnumeratorHandsOutOnlyTheChunksItsCheckpointHadNotHandedOut() throws Exception {
        Assignments context = new Assignments();
        var enumerator = source.createEnumerator(context);
        enumerator.start();
        enumerator.handleSplitRequest(0, null);
        var serializer = source.getEnumeratorCheckpointSerializer();
        byte[] checkpoint = serializer.serialize(enumerator.snapshotState(1));

        Assignments after = new Assignments();
        var restored = source.restoreEnumerator(after, serializer.deserialize(1, checkpoint));
        restored.start();
        for (int i = 0; i < 5; i++) {
            restored.handleSplitRequest(0, null);
        }
        assertThat(after.assigned).extracting(OutboxChunk::number).containsExactly(1, 2, 3);
        assertThat(after.noMoreSplits).isEqualTo(2);
        restored.addSplitsBack(List.of(context.assigned.get(0)), 0); // a reader failed before its first checkpoint
        restored.handleSplitRequest(1, null);
        assertThat(after.assigned).extracting(OutboxChunk::number).containsExactly(1, 2, 3, 0);
    }

    @Test
    void fourChunksCoverTheUuidSpaceWithoutOverlap() {
        List<OutboxChunk> chunks = OutboxChunk.split(4);
        assertThat(chunks.get(0).first()).isEqualTo("00000000-0000-0000-0000-000000000000");
        assertThat(chunks.get(3).last()).isEqualTo("ffffffff-ffff-ffff-ffff-ffffffffffff");
        for (int i = 1; i < 4; i++) {
            assertThat(Long.parseLong(chunks.get(i).first().substring(0, 8), 16))
                    .isEqualTo(Long.parseLong(chunks.get(i - 1).last().substring(0, 8), 16) + 1);
        }
    }

    private Set<String> writeOperations(int events) throws Exception {
        Set<String> before = eventIds();
        try (Connection c = postgres.connect()) {
            new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(events)
                    .withStart(Instant.parse("2026-11-20T09:00:00Z")).withFirstOperationId(nextOperation * 1000L).withSeed(nextOperation)
                    .withLateCommits(0).withRedeliveries(0)).run();
        }
        nextOperation++;
        Set<String> now = eventIds();
        now.removeAll(before);
        return now;
    }

    private static Set<String> eventIds() throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection c = postgres.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT event_id FROM stop_events")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    /** One source reader given one chunk, polled by hand as the task's thread would. */
    static final class Reader {
        final OutboxTableSource.ChunkReader reader = (OutboxTableSource.ChunkReader) source.createReader(new Context());
        final Output output = new Output();

        Reader(OutboxChunk chunk) {
            reader.addSplits(List.of(chunk));
            reader.start();
        }

        List<String> read(int rows) throws Exception {
            int start = output.ids.size();
            while (output.ids.size() < start + rows) {
                assertThat(reader.pollNext(output)).isEqualTo(InputStatus.MORE_AVAILABLE);
            }
            return new ArrayList<>(output.ids.subList(start, output.ids.size()));
        }

        List<String> readToEnd() throws Exception {
            int start = output.ids.size();
            InputStatus status;
            while ((status = reader.pollNext(output)) != InputStatus.END_OF_INPUT) {
                if (status == InputStatus.NOTHING_AVAILABLE) {
                    reader.notifyNoMoreSplits(); // the enumerator's answer to its split request
                }
            }
            reader.close();
            return new ArrayList<>(output.ids.subList(start, output.ids.size()));
        }
    }

    static final class Output implements ReaderOutput<OutboxChange> {
        final List<String> ids = new ArrayList<>();

        @Override public void collect(OutboxChange record) { ids.add(record.eventId); }
        @Override public void collect(OutboxChange record, long timestamp) { collect(record); }
        @Override public void emitWatermark(Watermark watermark) {}
        @Override public void markIdle() {}
        @Override public void markActive() {}
        @Override public SourceOutput<OutboxChange> createOutputForSplit(String splitId) { return this; }
        @Override public void releaseOutputForSplit(String splitId) {}
    }

    static final class Context implements SourceReaderContext {
        @Override public SourceReaderMetricGroup metricGroup() { return UnregisteredMetricsGroup.createSourceReaderMetricGroup(); }
        @Override public Configuration getConfiguration() { return new Configuration(); }
        @Override public String getLocalHostName() { return "localhost"; }
        @Override public int getIndexOfSubtask() { return 0; }
        @Override public void sendSplitRequest() {}
        @Override public void sendSourceEventToCoordinator(SourceEvent sourceEvent) {}
        @Override public UserCodeClassLoader getUserCodeClassLoader() {
            return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
        }
    }

    /** An enumerator context that records what it was told to do. */
    static final class Assignments implements SplitEnumeratorContext<OutboxChunk> {
        final List<OutboxChunk> assigned = new ArrayList<>();
        int noMoreSplits;

        @Override public SplitEnumeratorMetricGroup metricGroup() { throw new UnsupportedOperationException(); }
        @Override public void sendEventToSourceReader(int subtaskId, SourceEvent event) {}
        @Override public int currentParallelism() { return 2; }
        @Override public Map<Integer, ReaderInfo> registeredReaders() { return Map.of(); }
        @Override public void assignSplits(SplitsAssignment<OutboxChunk> a) {
            a.assignment().values().forEach(assigned::addAll);
        }
        @Override public void signalNoMoreSplits(int subtask) { noMoreSplits++; }
        @Override public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {}
        @Override public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler, long delay, long period) {}
        @Override public void runInCoordinatorThread(Runnable runnable) { runnable.run(); }
    }
}
