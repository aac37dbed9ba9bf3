package io.deepstorage.bronze;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import io.deepstorage.cli.Database;

/**
 * Keeps the job's replication slot honest, beside the CDC source (a pass-through operator; subtask 0 does the work,
 * on a processing-time timer in the task's own thread, so a failure here fails the task and Flink restarts the job
 * from its last checkpoint):
 * <ul>
 * <li><b>Heartbeat</b>: every interval it writes a transactional logical-decoding message
 * ({@code pg_logical_emit_message(true, 'deep_storage_heartbeat', '')}, PostgreSQL 14+). Debezium 1.9.8 asks pgoutput
 * for messages, so the message's COMMIT flows through the slot even when the outbox is quiet: it ends the WAL
 * position search a restored source otherwise waits in forever (FLINK-40538: there, Debezium's own heartbeat never
 * runs), and it moves the offset the source confirms at checkpoints, so the slot stops pinning WAL. The record never
 * reaches the job (its table is empty, and the prefix is excluded).</li>
 * <li><b>Liveness</b>: Flink CDC 3.2.1 sometimes swallows a failure of its replication connection (a walsender
 * killed, a network cut): the stream task ends, the reader drops the stream split as if it were finished, and the
 * job runs on reading nothing; worse, every checkpoint taken from then on holds no stream split, so a restore from it
 * reads nothing either. So once this attempt has seen its slot streaming, (1) a checkpoint is declined while the
 * slot has no walsender for longer than {@code reconnectGrace} (Debezium itself drops and reopens its replication
 * connection once, right after its WAL position search on every start and restore, so a walsender missing for a
 * moment is expected; chained into the source's task, the check runs in the same synchronous step as the source's
 * snapshot, so no split can be dropped between them), and (2) a slot without a walsender for longer than
 * {@code maxInactive} fails the task: Flink restores the last checkpoint taken while the source still read.</li>
 * <li><b>WAL retained</b>: gauges {@code slotRetainedWalBytes} (current WAL − restart_lsn),
 * {@code slotUnconfirmedWalBytes} (current WAL − confirmed_flush_lsn) and {@code slotStreaming} in the bronze metric
 * group ({@link BronzeMetrics}), and a log line a minute.</li>
 * </ul>
 */
public class ReplicationSlotGuard extends AbstractStreamOperator<OutboxChange>
        implements OneInputStreamOperator<OutboxChange, OutboxChange> {
    private static final long serialVersionUID = 1L;
    public static final String HEARTBEAT_PREFIX = "deep_storage_heartbeat";
    /** How long a checkpoint waits for a missing walsender to come back (Debezium's reconnect after its search). */
    public static final Duration RECONNECT_GRACE = Duration.ofSeconds(10);

    private final Database database;
    private final String slotName;
    private final Duration interval;
    private final Duration maxInactive;
    private final Duration reconnectGrace;

    private transient Connection connection;
    private transient boolean canEmitMessages;
    private transient boolean streamedOnce;
    private transient long notStreamingSince;
    private transient long lastLog;
    private transient volatile long retainedBytes = -1;
    private transient volatile long unconfirmedBytes = -1;
    private transient volatile int streaming;

    public ReplicationSlotGuard(Database database, String slotName, Duration interval, Duration maxInactive,
                                Duration reconnectGrace) {
        this.database = database;
        this.slotName = slotName;
        this.interval = interval;
        this.maxInactive = maxInactive;
        this.reconnectGrace = reconnectGrace;
        // A custom operator is a chain head by default: that put a network edge (serialising every change) between the
        // source and the rest of its chain. A pass-through belongs in the source's task.
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (getRuntimeContext().getIndexOfThisSubtask() != 0) {
            return;
        }
        var metrics = BronzeMetrics.group(getRuntimeContext());
        metrics.gauge(BronzeMetrics.SLOT_RETAINED_WAL_BYTES, () -> retainedBytes);
        metrics.gauge(BronzeMetrics.SLOT_UNCONFIRMED_WAL_BYTES, () -> unconfirmedBytes);
        metrics.gauge(BronzeMetrics.SLOT_STREAMING, () -> streaming);
        schedule();
    }

    private void schedule() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + interval.toMillis(), this::tick);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        if (getRuntimeContext().getIndexOfThisSubtask() != 0 || !streamedOnce) {
            return;
        }
        if (!slotStreamingWithin(reconnectGrace)) {
            throw new IllegalStateException("declining checkpoint " + context.getCheckpointId() + ": replication slot "
                    + slotName + " has had no walsender for " + reconnectGrace.toSeconds() + " s, so the CDC source is"
                    + " not reading and its state may have lost the stream split");
        }
    }

    /** Whether the slot has a streaming walsender now or gets one back within {@code grace}. */
    private boolean slotStreamingWithin(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        while (true) {
            try {
                if (slotStreaming(connection())) {
                    return true;
                }
            } catch (SQLException e) {
                closeConnection(); // the database is away: the source cannot be reading
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(100);
        }
    }

    private boolean slotStreaming(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_replication_slots s"
                + " JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = ? AND r.state IN ('catchup', 'streaming'))")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    @Override
    public void processElement(StreamRecord<OutboxChange> element) {
        output.collect(element);
    }

    private void tick(long time) throws Exception {
        try {
            check(time);
        } catch (SQLException e) {
            // The database is away: the source fails on its own; try again next time.
            LOG.warn("replication slot guard: {}", e.getMessage());
            closeConnection();
        }
        schedule();
    }

    private void check(long now) throws SQLException {
        Connection c = connection();
        if (canEmitMessages) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_logical_emit_message(true, ?, '')")) {
                ps.setString(1, HEARTBEAT_PREFIX);
                ps.execute();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_stat_replication r WHERE r.pid = s.active_pid"
                + " AND r.state IN ('catchup', 'streaming')), pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)::bigint,"
                + " pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint"
                + " FROM pg_replication_slots s WHERE s.slot_name = ?")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    streaming = 0;
                    return; // not created yet (the enumerator creates it)
                }
                boolean isStreaming = rs.getBoolean(1);
                streaming = isStreaming ? 1 : 0;
                retainedBytes = rs.getLong(2);
                unconfirmedBytes = rs.getLong(3);
                if (isStreaming) {
                    streamedOnce = true;
                    notStreamingSince = 0;
                } else if (streamedOnce) {
                    if (notStreamingSince == 0) {
                        notStreamingSince = now;
                    } else if (now - notStreamingSince > maxInactive.toMillis()) {
                        throw new IllegalStateException("replication slot " + slotName + " has had no walsender for "
                                + (now - notStreamingSince) / 1000 + " s although this job streamed from it: the CDC source"
                                + " stopped reading (its replication connection failed); failing so that Flink restarts"
                                + " the job from its last checkpoint");
                    }
                }
            }
        }
        if (now - lastLog >= 60_000) {
            lastLog = now;
            LOG.info("replication slot {}: streaming {}, WAL retained {} bytes, unconfirmed {} bytes", slotName,
                    streaming == 1, retainedBytes, unconfirmedBytes);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = database.connect();
            connection.setAutoCommit(true);
            canEmitMessages = connection.getMetaData().getDatabaseMajorVersion() >= 14;
            if (!canEmitMessages) {
                LOG.warn("PostgreSQL {} cannot send logical messages through pgoutput (14+): no WAL heartbeat; a quiet"
                        + " outbox lets the slot pin WAL", connection.getMetaData().getDatabaseProductVersion());
            }
        }
        return connection;
    }

    private void closeConnection() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // already broken
        }
        connection = null;
    }

    @Override
    public void close() throws Exception {
        closeConnection();
        super.close();
    }
}
