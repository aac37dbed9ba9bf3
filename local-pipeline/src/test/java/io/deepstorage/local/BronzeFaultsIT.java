package io.deepstorage.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.deepstorage.cli.Database;
import io.deepstorage.cli.JobReport;
import io.deepstorage.embedded.EmbeddedPostgres;
import io.deepstorage.embedded.EmbeddedS3;
import io.deepstorage.embedded.OutboxSchema;
import io.deepstorage.embedded.OutboxTrafficGenerator;
import io.deepstorage.schemas.LakeLayout;

/**
 * Bronze under faults, on the real embedded PostgreSQL and S3 server, the job in its own JVM started through the
 * {@code ./deep-storage bronze} command (production-like Flink settings from a flink-conf.yaml: restarts on,
 * tolerated failed checkpoints) and restored as the operator restores it ({@code --resume latest}). Live traffic is
 * shaped like the app's (three events per transaction, several clients, lone FAILED and guard events), and every
 * case ends with the same check: committed bronze = the outbox, each event_id exactly once, no dead letters.
 */
class BronzeFaultsIT {
    static final Path HOME = Path.of(System.getProperty("deepstorage.home", "..")).toAbsolutePath().normalize();
    static EmbeddedPostgres postgres;
    static EmbeddedS3 s3;
    static Path lakeRoot;
    static Path flinkConfDir;
    static int cases;

    @BeforeAll
    static void servers(@TempDir Path dir) throws Exception {
        postgres = EmbeddedPostgres.start("postgres");
        lakeRoot = dir.resolve("lake");
        s3 = EmbeddedS3.start(lakeRoot, "bootstrap");
        flinkConfDir = Files.createDirectories(dir.resolve("flink-conf"));
        // The FlinkDeployment's fault-handling settings, with shorter delays: a restart strategy that keeps trying,
        // failed checkpoints tolerated while the object store is away, checkpoints that time out instead of hanging.
        Files.writeString(flinkConfDir.resolve("flink-conf.yaml"), String.join("\n",
                "restart-strategy.type: exponential-delay",
                "restart-strategy.exponential-delay.initial-backoff: 1 s",
                "restart-strategy.exponential-delay.max-backoff: 5 s",
                "execution.checkpointing.tolerable-failed-checkpoints: 1000",
                "execution.checkpointing.timeout: 15 s",
                "fs.s3a.attempts.maximum: 2",
                "s3.attempts.maximum: 2",
                "s3.retry.limit: 2",
                ""));
    }

    @AfterAll
    static void stop() {
        s3.close();
        postgres.close();
    }

    @Test
    void fiveSigkillsAtVariedPointsEachResumedFromTheLatestStateLoseAndDoubleNothing() throws Exception {
        Case c = new Case("sigkill");
        c.seed(6_000); // a snapshot long enough to kill the job inside it
        List<String> points = new ArrayList<>();
        try (Traffic traffic = new Traffic(c)) {
            // 1. during the snapshot: the job's slot exists but does not stream yet
            try (JobProcess job = c.bronze("run-1", false, 0)) {
                c.await("the snapshot phase", () -> c.slotExists() && !c.slotStreaming());
                kill(job);
                points.add("during the snapshot");
            }
            traffic.start();
            // 2. between checkpoints: right after a file was committed
            try (JobProcess job = c.bronze("run-2", true, 0)) {
                int files = c.committedFiles();
                c.await("a new committed file", () -> c.committedFiles() > files);
                kill(job);
                points.add("right after a commit");
            }
            // 3. while a checkpoint is in flight: its chk-N folder exists, its _metadata not yet
            try (JobProcess job = c.bronze("run-3", true, 0)) {
                c.await("streaming", c::slotStreaming);
                boolean inFlight = c.awaitOptionally(Duration.ofSeconds(30), c::checkpointInFlight);
                kill(job);
                points.add(inFlight ? "during a checkpoint" : "while streaming (no in-flight checkpoint seen)");
            }
            // 4. while it catches up on the backlog written since the last kill
            try (JobProcess job = c.bronze("run-4", true, 0)) {
                c.await("streaming", c::slotStreaming);
                kill(job);
                points.add("catching up after a restore");
            }
            // 5. mid-traffic, after the writer committed more transactions
            try (JobProcess job = c.bronze("run-5", true, 0)) {
                int written = traffic.batches.get();
                c.await("more traffic committed", () -> traffic.batches.get() >= written + 3);
                int files = c.committedFiles();
                c.await("a new committed file", () -> c.committedFiles() > files);
                kill(job);
                points.add("mid-traffic");
            }
        }
        JobReport summary = c.finish();
        System.out.println("sigkill points: " + points);
        c.assertExactlyOnce(summary);
    }

    @Test
    void aFailureInsideTheRunningJobIsRecoveredByFlinksRestartStrategy() throws Exception {
        Case c = new Case("inside");
        c.seed(300);
        try (Traffic traffic = new Traffic(c); JobProcess job = c.streamingUnder(traffic)) {
            // The source's replication connection dies under it (as on a network cut). Either the source fails, or
            // (Flink CDC 3.2.1 sometimes swallows the error) the slot guard fails the task once the slot has had no
            // walsender for 30 s; Flink restarts the job from its last checkpoint. Should the job's process end
            // instead, the operator starts it again from the latest state, as Kubernetes restarts the pod. (The
            // source needs up to 30 s to close its fetcher when it fails: task.cancellation.timeout, 180 s by
            // default, must stay above that, or the TaskManager is given up.)
            int pid = c.terminateWalsender();
            c.await("the source streaming again", () -> (c.slotStreaming() && c.walsenderPid() != pid) || !job.isAlive());
            JobProcess running = job;
            if (!job.isAlive()) {
                System.out.println("fault case inside: the job's process ended; restarted from the latest state");
                running = c.bronze("run-after-exit", true, 1);
            } else {
                System.out.println("fault case inside: Flink restarted the job in the same process");
            }
            c.awaitNewCommittedFile();
            try (JobProcess last = running) {
                c.finish(traffic, last, running == job);
            }
        }
    }

    @Test
    void theObjectStoreAway30SecondsMidStreamCostsNothing() throws Exception {
        Case c = new Case("s3-down");
        c.seed(300);
        try (Traffic traffic = new Traffic(c); JobProcess job = c.streamingUnder(traffic)) {
            int port = s3.port();
            s3.close();
            int writtenWhileAway = traffic.batches.get();
            Thread.sleep(30_000); // the outage itself; traffic goes on meanwhile
            assertThat(traffic.batches.get()).as("traffic written while S3 was away").isGreaterThan(writtenWhileAway);
            s3 = EmbeddedS3.start(lakeRoot, "bootstrap", port, s3.accessKey(), s3.secretKey());
            c.awaitNewCommittedFile();
            c.finish(traffic, job, true);
        }
    }

    @Test
    void aPostgresRestartMidStreamCostsNothing() throws Exception {
        Case c = new Case("pg-restart");
        c.seed(300);
        try (Traffic traffic = new Traffic(c); JobProcess job = c.streamingUnder(traffic)) {
            postgres.stopServer(); // fast shutdown: the walsender and every session are disconnected
            postgres.startServer();
            c.await("the source streaming again", c::slotStreaming);
            int written = traffic.batches.get();
            c.await("traffic after the restart", () -> traffic.batches.get() >= written + 3);
            c.awaitNewCommittedFile();
            c.finish(traffic, job, true);
        }
    }

    @Test
    void aRestoredJobOnAQuietOutboxWhileOtherTablesWriteWalKeepsTheSlotFromPinningIt() throws Exception {
        Case c = new Case("idle");
        c.seed(300);
        try (JobProcess job = c.bronze("run-1", false, 0)) {
            assertThat(job.awaitReport(300).kind()).isEqualTo(JobReport.Kind.CAUGHT_UP);
            kill(job); // from here on the outbox stays quiet
        }
        try (Connection conn = c.db.connect(); Statement s = conn.createStatement()) {
            s.execute("CREATE TABLE noise (id bigserial PRIMARY KEY, filler text)");
        }
        try (JobProcess job = c.bronze("run-2", true, 2)) {
            assertThat(job.awaitReport(300).kind()).isEqualTo(JobReport.Kind.CAUGHT_UP);
            // The rest of the database writes WAL steadily (about 2.5 MB a round) while the outbox says nothing. The
            // restored source searches for its position among outbox messages (FLINK-40538) unless something of the
            // publication's flows: without the slot guard's heartbeat the slot pins all of it.
            long written = 0;
            long maxRetained = 0;
            long maxUnconfirmed = 0;
            try (Connection conn = c.db.connect(); Statement s = conn.createStatement()) {
                for (int round = 0; round < 40; round++) {
                    long before = c.currentWal();
                    s.execute("INSERT INTO noise (filler) SELECT repeat(md5(i::text), 32) FROM generate_series(1, 2000) i");
                    written += c.currentWal() - before;
                    if (round >= 20) { // once the slot has had time to move
                        maxRetained = Math.max(maxRetained, c.slotWal("restart_lsn"));
                        maxUnconfirmed = Math.max(maxUnconfirmed, c.slotWal("confirmed_flush_lsn"));
                    }
                    Thread.sleep(250); // pacing: about 8 MB/s of other WAL
                }
            }
            Instant quiet = Instant.now();
            boolean confirmed = c.awaitOptionally(Duration.ofSeconds(60), () -> c.slotWal("confirmed_flush_lsn") < 4_000_000);
            System.out.printf("fault case idle: after the other WAL stopped, the slot confirmed all but 4 MB %s%n",
                    confirmed ? "within " + Duration.between(quiet, Instant.now()).toMillis() + " ms" : "NOT within 60 s");
            // restart_lsn follows the confirmed position at the next running-transactions record PostgreSQL writes
            // (every 15 s while the database is busy, and at checkpoints).
            boolean released = c.awaitOptionally(Duration.ofSeconds(90), () -> c.slotWal("restart_lsn") < 16_000_000);
            System.out.printf("fault case idle: the slot released the WAL (restart_lsn within 16 MB) %s%n",
                    released ? "within " + Duration.between(quiet, Instant.now()).toMillis() + " ms" : "NOT within 90 s");
            System.out.printf("fault case idle: other WAL written %.1f MB; slot WAL retained (current - restart_lsn) max %.1f MB,"
                    + " unconfirmed (current - confirmed_flush_lsn) max %.1f MB over the second half%n",
                    written / 1e6, maxRetained / 1e6, maxUnconfirmed / 1e6);
            assertThat(written).as("other WAL written").isGreaterThan(60_000_000L);
            assertThat(confirmed).as("the slot confirms the WAL written while the outbox was quiet").isTrue();
            assertThat(maxUnconfirmed).as("WAL the slot has not confirmed, at most").isLessThan(written / 2);
            assertThat(released).as("the slot releases the WAL written while the outbox was quiet").isTrue();
            job.proceed();
            c.assertExactlyOnce(c.summary(job));
        }
    }

    private static void kill(JobProcess job) throws Exception {
        ProcessHandle.of(job.pid()).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL: no savepoint, no cleanup
        job.awaitExit(60);
    }

    /** One case: its own database, bucket and slot. */
    static final class Case {
        final String name;
        final String database;
        final String bucket;
        final String slot;
        final Database db;

        Case(String name) throws Exception {
            int n = ++cases;
            this.name = name;
            this.database = "faults_" + n;
            this.bucket = "faults-" + n;
            this.slot = "deep_storage_faults_" + n;
            try (Connection c = postgres.connect()) {
                c.createStatement().execute("CREATE DATABASE " + database);
            }
            this.db = new Database(postgres.jdbcUrl(database), postgres.user(), postgres.password());
            try (Connection c = db.connect()) {
                OutboxSchema.create(c);
            }
            s3.blobStore().createContainerInLocation(null, bucket);
        }

        void seed(int events) throws SQLException {
            try (Connection c = db.connect()) {
                new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(events).withLateCommits(0)
                        .withRedeliveries(0).withStart(Instant.parse("2026-11-20T00:00:00Z"))).run();
            }
        }

        /** {@code ./deep-storage bronze} in its own JVM; {@code rounds} 0 runs until killed. */
        JobProcess bronze(String run, boolean resume, int rounds) throws Exception {
            List<String> args = new ArrayList<>(List.of("--pg-host", postgres.host(), "--pg-port", String.valueOf(postgres.port()),
                    "--pg-database", database, "--pg-user", postgres.user(), "--bucket", bucket,
                    "--s3-endpoint", s3.endpoint(), "--checkpoint-interval", "1s", "--heartbeat-interval", "1s",
                    "--slot-name", slot, "--parallelism", "2", "--snapshot-chunk-size", "500", "--rounds", String.valueOf(rounds)));
            if (resume) {
                args.addAll(List.of("--resume", "latest"));
            }
            return JobProcess.start(name + "-" + run, HOME, JobCommand.BRONZE, List.of(), args,
                    Map.of("AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey(),
                            "PG_PASSWORD", postgres.password(), "FLINK_CONF_DIR", flinkConfDir.toString()),
                    HOME.resolve("local-pipeline/target/fault-logs"));
        }

        /** The job caught up with the seeded outbox (two rounds), the traffic started, a file committed under it. */
        JobProcess streamingUnder(Traffic traffic) throws Exception {
            JobProcess job = bronze("run", false, 2);
            assertThat(job.awaitReport(300).kind()).isEqualTo(JobReport.Kind.CAUGHT_UP);
            traffic.start();
            awaitNewCommittedFile();
            return job;
        }

        void awaitNewCommittedFile() throws Exception {
            int files = committedFiles();
            await("a new committed file", () -> committedFiles() > files);
        }

        /** Traffic stopped; the job catches up with everything, stops with a savepoint; the one check. */
        void finish(Traffic traffic, JobProcess job, boolean waitsForNextRound) throws Exception {
            traffic.close();
            if (waitsForNextRound) {
                job.proceed();
            }
            assertExactlyOnce(summary(job));
        }

        /** The last run: resumed, caught up with everything, stopped with a savepoint. */
        JobReport finish() throws Exception {
            try (JobProcess job = bronze("final", true, 1)) {
                return summary(job);
            }
        }

        JobReport summary(JobProcess job) throws Exception {
            JobReport report = job.awaitReport(600);
            assertThat(report.kind()).isEqualTo(JobReport.Kind.SUMMARY);
            assertThat(job.awaitExit(120)).isZero();
            return report;
        }

        void assertExactlyOnce(JobReport summary) throws Exception {
            Set<String> outbox = new HashSet<>();
            try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT event_id::text FROM stop_events")) {
                while (rs.next()) {
                    outbox.add(rs.getString(1));
                }
            }
            List<String> bronze = new ArrayList<>();
            try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                 ResultSet rs = duck.createStatement().executeQuery("SELECT event_id FROM read_parquet('"
                         + LakeLayout.partGlob(lakeRoot.resolve(bucket).resolve(LakeLayout.BRONZE_EVENTS).toString(), 1) + "')")) {
                while (rs.next()) {
                    bronze.add(rs.getString(1));
                }
            }
            Set<String> once = new HashSet<>(bronze);
            Set<String> lost = new HashSet<>(outbox);
            lost.removeAll(once);
            int doubled = bronze.size() - once.size();
            System.out.printf("fault case %s: events written %d, found once %d, lost %d, doubled %d%n",
                    name, outbox.size(), once.size(), lost.size(), doubled);
            assertThat(lost).as("outbox events missing from committed bronze").isEmpty();
            assertThat(doubled).as("event_ids committed more than once").isZero();
            assertThat(once).isEqualTo(outbox);
            assertThat(summary.count("dead_letters")).isZero();
            assertThat(summary.rowsOut()).isEqualTo(outbox.size());
        }

        int committedFiles() throws Exception {
            Path events = lakeRoot.resolve(bucket).resolve(LakeLayout.BRONZE_EVENTS);
            if (!Files.exists(events)) {
                return 0;
            }
            return LakeLayout.committedParts(events.toString(), dir -> {
                try (Stream<Path> list = Files.list(Path.of(dir))) {
                    return list.map(p -> new LakeLayout.Entry(p.toString(), p.getFileName().toString(), Files.isDirectory(p), 0)).toList();
                }
            }).size();
        }

        boolean checkpointInFlight() throws Exception {
            Path checkpoints = lakeRoot.resolve(bucket).resolve(LakeLayout.FLINK_CHECKPOINTS);
            if (!Files.exists(checkpoints)) {
                return false;
            }
            try (Stream<Path> chk = Files.find(checkpoints, 2, (p, a) -> a.isDirectory() && p.getFileName().toString().matches("chk-\\d+"))) {
                return chk.anyMatch(p -> !Files.exists(p.resolve("_metadata")));
            }
        }

        long currentWal() throws Exception {
            try (Connection conn = postgres.connect(); ResultSet rs = conn.createStatement()
                    .executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        /** Bytes of WAL between now and the slot's {@code column} (restart_lsn or confirmed_flush_lsn). */
        long slotWal(String column) throws Exception {
            return query("SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), " + column + ")::bigint, 0)"
                    + " FROM pg_replication_slots WHERE slot_name = ?");
        }

        boolean slotExists() throws Exception {
            return query("SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?") > 0;
        }

        boolean slotStreaming() throws Exception {
            return query("SELECT count(*) FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid"
                    + " WHERE s.slot_name = ? AND r.state IN ('catchup', 'streaming')") > 0;
        }

        int walsenderPid() throws Exception {
            return (int) query("SELECT coalesce(max(active_pid), 0) FROM pg_replication_slots WHERE slot_name = ?");
        }

        int terminateWalsender() throws Exception {
            int pid = walsenderPid();
            assertThat(pid).isPositive();
            try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
                s.execute("SELECT pg_terminate_backend(" + pid + ")");
            }
            return pid;
        }

        private long query(String sql) throws Exception {
            try (Connection c = postgres.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            } catch (SQLException e) {
                return 0; // PostgreSQL is restarting
            }
        }

        void await(String what, Condition condition) throws Exception {
            if (!awaitOptionally(Duration.ofMinutes(4), condition)) {
                throw new AssertionError(name + ": " + what + " did not happen within 4 minutes");
            }
        }

        boolean awaitOptionally(Duration timeout, Condition condition) throws Exception {
            Instant deadline = Instant.now().plus(timeout);
            while (Instant.now().isBefore(deadline)) {
                if (condition.holds()) {
                    return true;
                }
                Thread.sleep(50);
            }
            return false;
        }
    }

    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    /** The app writing, batch after batch, until closed; a batch that fails (PostgreSQL away) is simply not written. */
    static final class Traffic implements AutoCloseable {
        final Case c;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger batches = new AtomicInteger();
        final Thread writer;

        Traffic(Case c) {
            this.c = c;
            this.writer = new Thread(this::write, c.name + "-traffic");
        }

        void start() {
            writer.start();
        }

        private void write() {
            for (int batch = 1; !stop.get(); batch++) {
                try (Connection conn = c.db.connect()) {
                    new OutboxTrafficGenerator(() -> conn, OutboxTrafficGenerator.Options.defaults(90).withSeed(7_000L + batch)
                            .withFirstOperationId(1_000_000L * batch).withLateCommits(0).withRedeliveries(0)
                            .withStart(Instant.parse("2026-11-21T00:00:00Z").plusSeconds(60L * batch))).run();
                    batches.incrementAndGet();
                } catch (SQLException | RuntimeException | AssertionError e) {
                    // PostgreSQL is away: this batch is (partly) not written; the next one tries again. (pgjdbc asserts
                    // when the server goes away in the middle of a batch, and tests run with assertions on.)
                }
                try {
                    Thread.sleep(100); // pacing: about 900 events/s, a busy hour of the app, not a load test
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            if (writer.isAlive()) {
                writer.join();
            }
        }
    }
}
