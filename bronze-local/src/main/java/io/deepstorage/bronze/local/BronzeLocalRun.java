package io.deepstorage.bronze.local;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.deepstorage.bronze.BronzeJob;
import io.deepstorage.bronze.BronzeSettings;
import io.deepstorage.bronze.DropDuplicateEvents;
import io.deepstorage.bronze.InProcessFlink;
import io.deepstorage.bronze.CommittedParts;
import io.deepstorage.bronze.RouteOutboxChanges;
import io.deepstorage.cli.JobReport;
import io.deepstorage.schemas.LakeLayout;

/**
 * The bronze job in-process (Flink MiniCluster), watched from outside the way an operator would: it knows when the
 * job has caught up with the outbox, and stops it with a savepoint. Used by {@code ./deep-storage bronze}, the local
 * pipeline, the bench and the tests; production runs {@link BronzeJob} on a Flink cluster. Not in the job jar.
 */
public final class BronzeLocalRun implements AutoCloseable {
    /** Report keys beyond JobReport's own. */
    public static final String DISTINCT_EVENTS = "distinct_events";
    public static final String DEAD_LETTERS = JobReport.DEAD_LETTERS;
    public static final String DUPLICATES_DROPPED = "duplicates_dropped";
    public static final String DELETES = "deletes";
    public static final String UPDATES = "updates";
    public static final String SAVEPOINT = "savepoint";

    private final BronzeSettings settings;
    private final JobClient job;
    private final JobReport.Builder report;
    private final CommittedParts bronze;
    private final CommittedParts deadLetters;

    private BronzeLocalRun(BronzeSettings settings, JobClient job) {
        this.settings = settings;
        this.job = job;
        this.report = JobReport.start("bronze");
        this.bronze = new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS);
        this.deadLetters = new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_DEAD_LETTERS);
    }

    /**
     * Submits the job to an in-process MiniCluster and returns at once; {@code resumeFrom} (a checkpoint or savepoint
     * path) restores its state, as the operator does after losing the JobManager.
     */
    public static BronzeLocalRun start(BronzeSettings settings, Configuration flinkConf, Optional<String> resumeFrom) throws Exception {
        return start(settings, BronzeJob.fromSettings(settings), flinkConf, resumeFrom);
    }

    /** {@link #start(BronzeSettings, Configuration, Optional)} for a given job built from {@code settings}. */
    public static BronzeLocalRun start(BronzeSettings settings, BronzeJob bronzeJob, Configuration flinkConf,
                                      Optional<String> resumeFrom) throws Exception {
        return new BronzeLocalRun(settings, bronzeJob.executeAsync(InProcessFlink.environment(flinkConf, resumeFrom)));
    }

    public static BronzeLocalRun start(BronzeSettings settings, Configuration flinkConf) throws Exception {
        return start(settings, flinkConf, Optional.empty());
    }

    public JobClient job() { return job; }

    /**
     * Waits until the job has caught up with everything committed in PostgreSQL before this call, and the snapshot
     * phase is over (so whatever commits from now on arrives through the replication stream, with its WAL
     * position):
     * <ol>
     * <li>the job's own slot is streaming: a walsender serves it ({@code active_pid}) in state catchup or streaming.
     * Flink CDC opens the slot only for the stream split, which it assigns after every snapshot split has finished
     * and a checkpoint has completed; during the snapshot the slot is idle (backfill uses per-subtask slots);</li>
     * <li>the slot has confirmed the WAL position taken once it streams (the source confirms positions only for
     * completed checkpoints, i.e. committed files);</li>
     * <li>every outbox event is in a committed bronze or dead-letter file.</li>
     * </ol>
     * The report it returns counts only committed output and the outbox: the job's accumulators lag while it runs.
     */
    public JobReport awaitCaughtUp(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (!slotStreaming()) {
            failIfEndedOrLate(deadline, timeout, "the snapshot phase has not ended (slot " + settings.slotName + " is not streaming)");
            Thread.sleep(250);
        }
        String target = scalar("SELECT pg_current_wal_lsn()::text");
        while (true) {
            // The slot check is one cheap query; the full comparison of event_ids runs only once it passes.
            if (!slotConfirmed(target)) {
                failIfEndedOrLate(deadline, timeout, "the replication slot has not confirmed " + target + " yet");
                Thread.sleep(250);
                continue;
            }
            Set<String> outbox = outboxEventIds();
            List<String> bronzeIds = bronze.eventIds();
            Set<String> committed = new HashSet<>(bronzeIds);
            committed.addAll(deadLetters.eventIds());
            if (committed.containsAll(outbox)) {
                return committedOutput(outbox.size(), bronzeIds).report(JobReport.Kind.CAUGHT_UP);
            }
            outbox.removeAll(committed);
            failIfEndedOrLate(deadline, timeout, outbox.size() + " outbox events not committed yet");
            Thread.sleep(250);
        }
    }

    /**
     * Stops the job with a savepoint (everything it processed is committed, the slot confirmed) and reports its final
     * counts: the accumulators of a finished job are exact, and the files are what it committed.
     */
    public JobReport stopWithSavepoint() throws Exception {
        String savepoint = job.stopWithSavepoint(false, settings.savepointDir, SavepointFormatType.CANONICAL)
                .get(5, TimeUnit.MINUTES);
        JobExecutionResult result = job.getJobExecutionResult().get(5, TimeUnit.MINUTES);
        Map<String, Object> acc = result.getAllAccumulatorResults();
        return committedOutput(outboxEventIds().size(), bronze.eventIds())
                .put(DUPLICATES_DROPPED, count(acc, DropDuplicateEvents.DUPLICATE_COUNT))
                .put(DELETES, count(acc, RouteOutboxChanges.DELETE_COUNT))
                .put(UPDATES, count(acc, RouteOutboxChanges.UPDATE_COUNT))
                .put(SAVEPOINT, savepoint)
                .summary();
    }

    private JobReport.Builder committedOutput(long outboxEvents, List<String> bronzeIds) throws Exception {
        return report.put(JobReport.ROWS_IN, outboxEvents)
                .put(JobReport.ROWS_OUT, (long) bronzeIds.size())
                .put(DISTINCT_EVENTS, (long) new HashSet<>(bronzeIds).size())
                .put(DEAD_LETTERS, deadLetters.rowCount())
                .put(JobReport.FILES_WRITTEN, (long) (bronze.files().size() + deadLetters.files().size()));
    }

    private void failIfEndedOrLate(Instant deadline, Duration timeout, String progress) throws Exception {
        if (job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
            throw new IllegalStateException("the bronze job ended before it caught up: " + job.getJobStatus().get());
        }
        if (Instant.now().isAfter(deadline)) {
            throw new IllegalStateException("bronze did not catch up within " + timeout + ": " + progress);
        }
    }

    /** Cancels the job if it still runs; committed files stay, the last checkpoint is retained. */
    @Override
    public void close() {
        try {
            if (!job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        } catch (Exception ignored) {
            // the job had already ended
        }
    }

    private boolean slotStreaming() throws Exception {
        try (Connection c = settings.database().connect();
             PreparedStatement ps = c.prepareStatement("SELECT r.state FROM pg_replication_slots s"
                     + " JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = ?")) {
            ps.setString(1, settings.slotName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && ("streaming".equals(rs.getString(1)) || "catchup".equals(rs.getString(1)));
            }
        }
    }

    private boolean slotConfirmed(String lsn) throws Exception {
        try (Connection c = settings.database().connect();
             PreparedStatement ps = c.prepareStatement("SELECT confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots"
                     + " WHERE slot_name = ?")) {
            ps.setString(1, lsn);
            ps.setString(2, settings.slotName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private String scalar(String sql) throws Exception {
        try (Connection c = settings.database().connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long count(Map<String, Object> accumulators, String name) {
        Object v = accumulators.get(name);
        return v instanceof Number n ? n.longValue() : 0;
    }

    /** Every event_id in the outbox now. */
    public Set<String> outboxEventIds() throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection c = settings.database().connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.setFetchSize(10_000);
            try (ResultSet rs = st.executeQuery("SELECT event_id::text FROM " + settings.pgSchema + "." + settings.pgTable)) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    /**
     * The newest retained state to resume from: the newest completed checkpoint ({@code <checkpoint dir>/<job id>/
     * chk-<n>/_metadata}, as the operator picks it after losing the JobManager) or savepoint ({@code <savepoint dir>/
     * savepoint-<id>/_metadata}, as a stop leaves it), whichever was written last; empty when there is none.
     */
    public static Optional<String> latestRetainedState(BronzeSettings settings) throws Exception {
        List<State> found = new java.util.ArrayList<>();
        for (var jobDir : children(settings.checkpointDir)) {
            for (var chk : children(jobDir.getPath().toString())) {
                String name = chk.getPath().getName();
                if (name.matches("chk-\\d+")) {
                    state(chk.getPath(), Integer.parseInt(name.substring(4))).ifPresent(found::add);
                }
            }
        }
        for (var savepoint : children(settings.savepointDir)) {
            if (savepoint.getPath().getName().startsWith("savepoint-")) {
                // A savepoint is taken at a stop: nothing of that job is newer, so it wins a tie.
                state(savepoint.getPath(), Integer.MAX_VALUE).ifPresent(found::add);
            }
        }
        return found.stream().max(java.util.Comparator.comparingLong(State::seconds).thenComparingInt(State::order))
                .map(State::path);
    }

    /** Object stores keep whole seconds: within one, the higher checkpoint number is the newer. */
    private record State(String path, long seconds, int order) {}

    private static Optional<State> state(Path dir, int order) throws Exception {
        Path metadata = new Path(dir, "_metadata");
        FileSystem fs = metadata.getFileSystem();
        return fs.exists(metadata)
                ? Optional.of(new State(dir.toString(), fs.getFileStatus(metadata).getModificationTime() / 1000, order))
                : Optional.empty();
    }

    private static List<org.apache.flink.core.fs.FileStatus> children(String dir) throws Exception {
        Path path = new Path(dir);
        FileSystem fs = path.getFileSystem();
        return fs.exists(path) ? List.of(fs.listStatus(path)) : List.of();
    }
}
