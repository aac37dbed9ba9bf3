package io.deepstorage.bronze;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;
import io.deepstorage.schemas.LakeLayout;

/**
 * Runs the bronze job in-process (Flink MiniCluster) until it has caught up with the outbox — every event_id in
 * stop_events is in a committed bronze or dead-letter file — then stops it and prints one {@code SUMMARY {json}}
 * line. Used by the local pipeline run and the tests; production runs {@link BronzeJob} on a Flink cluster.
 */
public final class BronzeLocalRun implements AutoCloseable {
    /** What a run did. */
    public record Summary(long outboxEvents, long bronzeRows, long distinctBronzeEvents, long deadLetters,
                          long duplicatesDropped, long deletes, long updates, long bronzeFiles, long deadLetterFiles,
                          double seconds) {
        public String toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("job", "bronze");
            m.put("rows_in", outboxEvents);
            m.put("rows_out", bronzeRows);
            m.put("distinct_events", distinctBronzeEvents);
            m.put("duplicates_dropped", duplicatesDropped);
            m.put("dead_letters", deadLetters);
            m.put("deletes", deletes);
            m.put("updates", updates);
            m.put("files_written", bronzeFiles + deadLetterFiles);
            m.put("seconds", Math.round(seconds * 100) / 100.0);
            StringBuilder b = new StringBuilder("{");
            m.forEach((k, v) -> {
                if (b.length() > 1) {
                    b.append(", ");
                }
                b.append('"').append(k).append("\": ").append(v instanceof String ? "\"" + v + "\"" : v);
            });
            return b.append('}').toString();
        }
    }

    private final BronzeSettings settings;
    private final JobClient job;
    private final Instant started;
    private final CommittedParts bronze;
    private final CommittedParts deadLetters;

    private BronzeLocalRun(BronzeSettings settings, JobClient job) {
        this.settings = settings;
        this.job = job;
        this.started = Instant.now();
        this.bronze = new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS);
        this.deadLetters = new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_DEAD_LETTERS);
    }

    /** Submits the job to an in-process MiniCluster and returns at once. */
    public static BronzeLocalRun start(BronzeSettings settings, Configuration flinkConf) throws Exception {
        Configuration conf = new Configuration(flinkConf);
        // Locally a broken job should fail, not restart forever as a cluster deployment would.
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "3");
        conf.setString("restart-strategy.fixed-delay.delay", "2 s");
        conf.setString("execution.checkpointing.tolerable-failed-checkpoints", "3");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        return new BronzeLocalRun(settings, BronzeJob.fromSettings(settings).executeAsync(env));
    }

    public JobClient job() { return job; }

    /**
     * Waits until the job has caught up with everything committed in PostgreSQL before this call: the replication
     * slot has confirmed the WAL position of now (the source confirms positions only for completed checkpoints,
     * i.e. committed files), and every outbox event is in a committed bronze or dead-letter file.
     */
    public Summary awaitCaughtUp(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        String target = scalar("SELECT pg_current_wal_lsn()::text");
        while (true) {
            // The slot check is one cheap query; the full comparison of event_ids runs only once it passes.
            if (!slotConfirmed(target)) {
                failIfEndedOrLate(deadline, timeout, "the replication slot has not confirmed " + target + " yet");
                Thread.sleep(500);
                continue;
            }
            Set<String> outbox = outboxEventIds(settings);
            List<String> bronzeIds = bronze.eventIds();
            Set<String> committed = new HashSet<>(bronzeIds);
            committed.addAll(deadLetters.eventIds());
            if (committed.containsAll(outbox)) {
                Map<String, Object> acc = job.getAccumulators().get(30, TimeUnit.SECONDS);
                return new Summary(outbox.size(), bronzeIds.size(), new HashSet<>(bronzeIds).size(),
                        deadLetters.rowCount(), count(acc, DropDuplicateEvents.DUPLICATE_COUNT),
                        count(acc, RouteOutboxChanges.DELETE_COUNT), count(acc, RouteOutboxChanges.UPDATE_COUNT),
                        bronze.files().size(), deadLetters.files().size(),
                        Duration.between(started, Instant.now()).toMillis() / 1000.0);
            }
            outbox.removeAll(committed);
            failIfEndedOrLate(deadline, timeout, outbox.size() + " outbox events not committed yet");
            Thread.sleep(500);
        }
    }

    private void failIfEndedOrLate(Instant deadline, Duration timeout, String progress) throws Exception {
        if (job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
            throw new IllegalStateException("the bronze job ended before it caught up: " + job.getJobStatus().get());
        }
        if (Instant.now().isAfter(deadline)) {
            throw new IllegalStateException("bronze did not catch up within " + timeout + ": " + progress);
        }
    }

    /** Cancels the job; committed files stay, the last checkpoint is retained. */
    @Override
    public void close() {
        try {
            job.cancel().get(60, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the job had already ended
        }
    }

    private boolean slotConfirmed(String lsn) throws Exception {
        return "t".equals(scalar("SELECT (confirmed_flush_lsn >= '" + lsn + "'::pg_lsn)::text FROM pg_replication_slots"
                + " WHERE slot_name = '" + settings.slotName + "'").substring(0, 1));
    }

    private String scalar(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.pgUser,
                settings.pgPassword() == null ? "" : settings.pgPassword());
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() && rs.getString(1) != null ? rs.getString(1) : "f";
        }
    }

    private static long count(Map<String, Object> accumulators, String name) {
        Object v = accumulators.get(name);
        return v instanceof Number n ? n.longValue() : 0;
    }

    static Set<String> outboxEventIds(BronzeSettings s) throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.pgUser, s.pgPassword() == null ? "" : s.pgPassword());
             Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.setFetchSize(10_000);
            try (ResultSet rs = st.executeQuery("SELECT event_id::text FROM " + s.pgSchema + "." + s.pgTable)) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    /** The bronze options plus the two a local run adds. */
    static final List<OptionSpec> OPTIONS = Stream.concat(BronzeSettings.OPTIONS.stream(), Stream.of(
            OptionSpec.value("timeout", null, "10m", "how long to wait for catching up"),
            OptionSpec.value("rounds", null, "1", "catch up this many times; between rounds print CAUGHT_UP and wait"
                    + " for a line on stdin (the local pipeline writes live traffic meanwhile)"))).toList();

    public static void main(String[] args) throws Exception {
        if (CommandLine.wantsHelp(args)) {
            System.out.println(CommandLine.helpText("BronzeLocalRun",
                    "Runs the bronze job in-process until it has caught up with the outbox, then prints SUMMARY.", OPTIONS));
            return;
        }
        Duration timeout;
        int rounds;
        BronzeSettings settings;
        try {
            CommandLine options = CommandLine.parse(args, System.getenv(), OPTIONS);
            timeout = Durations.parse(options.required("timeout"));
            rounds = Integer.parseInt(options.required("rounds"));
            settings = BronzeSettings.from(options, System.getenv());
            if (settings.s3Endpoint == null) {
                throw new SettingException("--s3-endpoint (S3_ENDPOINT) is required for a local run");
            }
        } catch (IllegalArgumentException | SettingException e) {
            System.err.println("bronze: " + e.getMessage());
            System.exit(2);
            return;
        }
        var problems = OutboxPreconditions.problems(settings);
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("bronze: " + p));
            System.exit(2);
            return;
        }
        Summary summary;
        try (BronzeLocalRun run = start(settings, BronzeJob.configureS3(settings))) {
            summary = run.awaitCaughtUp(timeout);
            var stdin = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
            for (int round = 1; round < rounds; round++) {
                System.out.println("CAUGHT_UP " + summary.toJson());
                System.out.flush();
                if (stdin.readLine() == null) {
                    break;
                }
                summary = run.awaitCaughtUp(timeout);
            }
        }
        System.out.println("SUMMARY " + summary.toJson());
        System.exit(0); // the MiniCluster leaves non-daemon threads behind
    }
}
