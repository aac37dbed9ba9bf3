package io.deepstorage.bronze;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import io.deepstorage.cli.Database;

/**
 * The outbox table read as a bounded Flink source: one split per event_id {@link OutboxChunk}, parallel across
 * readers, each chunk one streaming query ({@code fetchSize} rows per round trip) in event_id order. A checkpoint
 * keeps, per chunk, the last event_id emitted; a restored reader asks only for the rows after it. So a replay
 * killed half-way and resumed writes each row once.
 *
 * <p>Why not Flink's JdbcSource (flink-connector-jdbc 3.2.0, FLIP-239), which it replaced: its restored enumerator
 * handed out every chunk again beside the ones its checkpoint kept, its reader ignores the offset it checkpoints
 * (the chunk in progress is read again from its first row), and that offset is a row count, which cannot resume
 * exactly while the app keeps inserting rows into the same event_id range.
 *
 * <p>The reader queries in the task's own thread: a fetch of {@code fetchSize} rows is the longest a checkpoint
 * barrier waits, and the emitted rows and the chunk's position are always the same state.
 */
public final class OutboxTableSource
        implements Source<OutboxChange, OutboxChunk, List<OutboxChunk>>, ResultTypeQueryable<OutboxChange> {
    private static final long serialVersionUID = 1L;

    private final Database database;
    private final String queryFrom;
    private final String queryAfter;
    private final int chunks;
    private final int fetchSize;

    /**
     * @param queryFrom  a chunk from its start: binds its first and last event_id (both inclusive)
     * @param queryAfter a chunk resumed: binds the last event_id read (exclusive) and the chunk's last (inclusive)
     */
    public OutboxTableSource(Database database, String queryFrom, String queryAfter, int chunks, int fetchSize) {
        if (chunks < 1 || fetchSize < 1) {
            throw new IllegalArgumentException("chunks and fetchSize must be positive: " + chunks + ", " + fetchSize);
        }
        this.database = database;
        this.queryFrom = queryFrom;
        this.queryAfter = queryAfter;
        this.chunks = chunks;
        this.fetchSize = fetchSize;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SplitEnumerator<OutboxChunk, List<OutboxChunk>> createEnumerator(SplitEnumeratorContext<OutboxChunk> context) {
        return new Chunks(context, OutboxChunk.split(chunks));
    }

    @Override
    public SplitEnumerator<OutboxChunk, List<OutboxChunk>> restoreEnumerator(SplitEnumeratorContext<OutboxChunk> context,
                                                                            List<OutboxChunk> unassigned) {
        return new Chunks(context, unassigned);
    }

    @Override
    public SourceReader<OutboxChange, OutboxChunk> createReader(SourceReaderContext context) {
        return new ChunkReader(context, database, queryFrom, queryAfter, fetchSize);
    }

    @Override
    public SimpleVersionedSerializer<OutboxChunk> getSplitSerializer() {
        return OutboxChunk.Serializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<List<OutboxChunk>> getEnumeratorCheckpointSerializer() {
        return new OutboxChunk.ListSerializer();
    }

    @Override
    public TypeInformation<OutboxChange> getProducedType() {
        return TypeInformation.of(OutboxChange.class);
    }

    /** Hands out chunks one at a time to whichever reader asks; its state is the chunks not handed out yet. */
    static final class Chunks implements SplitEnumerator<OutboxChunk, List<OutboxChunk>> {
        private final SplitEnumeratorContext<OutboxChunk> context;
        private final ArrayDeque<OutboxChunk> unassigned;

        Chunks(SplitEnumeratorContext<OutboxChunk> context, Collection<OutboxChunk> unassigned) {
            this.context = context;
            this.unassigned = new ArrayDeque<>(unassigned);
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtask, String host) {
            OutboxChunk next = unassigned.poll();
            if (next == null) {
                context.signalNoMoreSplits(subtask);
            } else {
                context.assignSplit(next, subtask);
            }
        }

        /** A failed reader's chunks since the last checkpoint, as that checkpoint had them. */
        @Override
        public void addSplitsBack(List<OutboxChunk> splits, int subtask) {
            unassigned.addAll(splits);
        }

        @Override
        public void addReader(int subtask) {}

        @Override
        public List<OutboxChunk> snapshotState(long checkpointId) {
            return new ArrayList<>(unassigned);
        }

        @Override
        public void close() {}
    }

    /** Reads its chunks one after the other; asks for the next chunk when it has none left. */
    static final class ChunkReader implements SourceReader<OutboxChange, OutboxChunk> {
        private final SourceReaderContext context;
        private final Database database;
        private final String queryFrom;
        private final String queryAfter;
        private final int fetchSize;
        private final ArrayDeque<OutboxChunk> chunks = new ArrayDeque<>();
        private OutboxChunk current;
        private boolean noMoreChunks;
        private CompletableFuture<Void> available = new CompletableFuture<>();
        private Connection connection;
        private PreparedStatement statement;
        private ResultSet rows;

        ChunkReader(SourceReaderContext context, Database database, String queryFrom, String queryAfter, int fetchSize) {
            this.context = context;
            this.database = database;
            this.queryFrom = queryFrom;
            this.queryAfter = queryAfter;
            this.fetchSize = fetchSize;
        }

        @Override
        public void start() {
            if (chunks.isEmpty()) { // restored chunks come before start()
                context.sendSplitRequest();
            }
        }

        @Override
        public InputStatus pollNext(ReaderOutput<OutboxChange> output) throws Exception {
            if (current == null) {
                current = chunks.poll();
                if (current == null) {
                    if (noMoreChunks) {
                        return InputStatus.END_OF_INPUT;
                    }
                    if (available.isDone()) {
                        available = new CompletableFuture<>();
                    }
                    return InputStatus.NOTHING_AVAILABLE;
                }
                open(current);
            }
            if (rows.next()) {
                String eventId = rows.getString("event_id");
                output.collect(OutboxRows.read(rows));
                current = current.readThrough(eventId);
                return InputStatus.MORE_AVAILABLE;
            }
            closeQuery();
            connection.commit(); // ends the chunk's read-only transaction
            current = null;
            if (chunks.isEmpty()) {
                context.sendSplitRequest();
            }
            return InputStatus.MORE_AVAILABLE;
        }

        private void open(OutboxChunk chunk) throws SQLException {
            if (connection == null || connection.isClosed()) {
                connection = database.connect();
                connection.setAutoCommit(false); // PostgreSQL streams a result through a cursor only in a transaction
                connection.setReadOnly(true);
            }
            statement = connection.prepareStatement(chunk.after() == null ? queryFrom : queryAfter);
            statement.setString(1, chunk.after() == null ? chunk.first() : chunk.after());
            statement.setString(2, chunk.last());
            statement.setFetchSize(fetchSize);
            rows = statement.executeQuery();
        }

        @Override
        public List<OutboxChunk> snapshotState(long checkpointId) {
            List<OutboxChunk> state = new ArrayList<>(chunks.size() + 1);
            if (current != null) {
                state.add(current);
            }
            state.addAll(chunks);
            return state;
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return available;
        }

        @Override
        public void addSplits(List<OutboxChunk> splits) {
            chunks.addAll(splits);
            available.complete(null);
        }

        @Override
        public void notifyNoMoreSplits() {
            noMoreChunks = true;
            available.complete(null);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {}

        private void closeQuery() throws SQLException {
            if (rows != null) {
                rows.close();
                rows = null;
            }
            if (statement != null) {
                statement.close();
                statement = null;
            }
        }

        @Override
        public void close() throws Exception {
            try {
                closeQuery();
            } finally {
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
            }
        }
    }
}
