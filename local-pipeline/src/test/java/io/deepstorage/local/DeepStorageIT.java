package io.deepstorage.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.deepstorage.cli.JobReport;
import io.deepstorage.embedded.EmbeddedPostgres;
import io.deepstorage.embedded.EmbeddedS3;
import io.deepstorage.embedded.OutboxSchema;
import io.deepstorage.embedded.OutboxTrafficGenerator;

/**
 * {@code ./deep-storage} as a user runs it: the script at the repository root, on the embedded PostgreSQL and S3
 * server, stopped with SIGTERM, resumed with {@code --resume latest}.
 */
class DeepStorageIT {
    static final Path HOME = Path.of(System.getProperty("deepstorage.home", "..")).toAbsolutePath().normalize();
    static EmbeddedPostgres postgres;
    static EmbeddedS3 s3;
    static OutboxAndLake servers;

    @BeforeAll
    static void startServers(@TempDir Path lake) throws Exception {
        servers = OutboxAndLake.start(lake, "lake");
        postgres = servers.postgres();
        s3 = servers.s3();
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    @Test
    void withoutACommandItListsTheCommandsAndEachCommandHasHelp() throws Exception {
        Run list = Run.start(List.of());
        assertThat(list.awaitExit()).isZero();
        assertThat(String.join("\n", list.lines)).contains("bronze", "silver", "gold", "Exit codes");
        Run help = Run.start(List.of("bronze", "--help"));
        assertThat(help.awaitExit()).isZero();
        assertThat(String.join("\n", help.lines)).contains("--resume", "env BRONZE_CHECKPOINT_INTERVAL", "--s3-endpoint");
        Run compactHelp = Run.start(List.of("compact", "--help"));
        assertThat(compactHelp.awaitExit()).isZero();
        assertThat(String.join("\n", compactHelp.lines)).contains("--date", "env COMPACT_DATE", "--target-size", "--s3-endpoint");
        Run retentionHelp = Run.start(List.of("retention", "--help"));
        assertThat(retentionHelp.awaitExit()).isZero();
        assertThat(String.join("\n", retentionHelp.lines)).contains("--bronze-days", "env RETENTION_BRONZE_DAYS", "--as-of", "--dry-run");
        List<String> badArgs = new ArrayList<>(bronzeArgs());
        badArgs.addAll(List.of("--checkpoint-interval", "soon"));
        Run bad = Run.start(badArgs);
        assertThat(bad.awaitExit()).isEqualTo(2);
        assertThat(bad.lines).anySatisfy(l -> assertThat(l).startsWith("bronze: --checkpoint-interval (BRONZE_CHECKPOINT_INTERVAL)"));
    }

    @Test
    void bronzeStopsWithASavepointOnSigtermReportsFinalCountsAndResumesFromTheLatestState() throws Exception {
        int events = generate(300, 1);
        Run first = Run.start(bronzeArgs());
        assertThat(first.awaitReport().kind()).isEqualTo(JobReport.Kind.CAUGHT_UP);
        try (Connection c = postgres.connect()) {
            OutboxTrafficGenerator.redeliverOne(c);
        }
        awaitSlotConfirmedNow(); // the delete and the second copy went through a completed checkpoint
        // SIGTERM (through the handle: Process.destroy() would also close our end of its output): ./deep-storage has
        // become the job's JVM.
        first.process.toHandle().destroy();
        JobReport summary = first.awaitReport();
        assertThat(first.awaitExit()).isZero();
        assertThat(summary.kind()).isEqualTo(JobReport.Kind.SUMMARY);
        assertThat(summary.rowsIn()).isEqualTo(events);
        assertThat(summary.rowsOut()).isEqualTo(events);
        assertThat(summary.count("deletes")).isEqualTo(1);
        assertThat(summary.count("duplicates_dropped")).isEqualTo(1);

        // The app goes on writing while no job runs; the resume reads it all (FLINK-39265 lost the first change here).
        events += generate(120, 50_000);
        List<String> args = new ArrayList<>(bronzeArgs());
        args.addAll(List.of("--resume", "latest"));
        Run second = Run.start(args);
        JobReport caughtUp = second.awaitReport();
        assertThat(second.lines).anySatisfy(l -> assertThat(l).startsWith("bronze: resuming from ").contains("/flink/savepoints/savepoint-"));
        assertThat(caughtUp.rowsIn()).isEqualTo(events);
        assertThat(caughtUp.rowsOut()).as("nothing doubled across the restart").isEqualTo(events);
        assertThat(caughtUp.count("distinct_events")).isEqualTo(events);
        events += generate(120, 90_000);
        awaitSlotConfirmedNow();

        Run refused = Run.start(slotArgs("--drop"));
        assertThat(refused.awaitExit()).as("dropping the slot of a running job").isEqualTo(1);
        assertThat(refused.lines).anySatisfy(l -> assertThat(l).contains("is in use by a running job"));

        second.process.toHandle().destroy();
        JobReport last = second.awaitReport();
        assertThat(last.kind()).isEqualTo(JobReport.Kind.SUMMARY);
        assertThat(last.rowsIn()).isEqualTo(events);
        assertThat(last.rowsOut()).isEqualTo(events);
        assertThat(last.count("distinct_events")).isEqualTo(events);
        assertThat(second.awaitExit()).isZero();

        Run status = Run.start(slotArgs());
        JobReport slot = status.awaitReport();
        assertThat(status.awaitExit()).isZero();
        assertThat(slot.text("active")).isEqualTo("false");
        assertThat(slot.has("wal_retained_bytes")).isTrue();
        Run dropped = Run.start(slotArgs("--drop"));
        assertThat(dropped.awaitReport().text("dropped")).isEqualTo("true");
        assertThat(dropped.awaitExit()).isZero();
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'deep_storage_cli'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }

        // ./deep-storage compact on the date bronze wrote, through S3 like bronze (Flink's S3 filesystem is a plugin).
        Run compact = Run.start(List.of("compact", "--bucket", "lake", "--s3-endpoint", s3.endpoint(), "--date", "2026-11-20"));
        JobReport compacted = compact.awaitReport();
        assertThat(compact.awaitExit()).as(String.join("\n", compact.lines)).isZero();
        assertThat(compacted.count("files_before")).isGreaterThan(1);
        assertThat(compacted.count("files_after")).isEqualTo(1);
    }

    private static List<String> slotArgs(String... more) {
        List<String> args = new ArrayList<>(List.of("bronze-slot", "--pg-host", postgres.host(), "--pg-port",
                String.valueOf(postgres.port()), "--pg-database", postgres.database(), "--pg-user", postgres.user(),
                "--slot-name", "deep_storage_cli"));
        args.addAll(List.of(more));
        return args;
    }

    private static List<String> bronzeArgs() {
        return List.of("bronze", "--pg-host", postgres.host(), "--pg-port", String.valueOf(postgres.port()),
                "--pg-database", postgres.database(), "--pg-user", postgres.user(), "--bucket", "lake",
                "--s3-endpoint", s3.endpoint(), "--checkpoint-interval", "1s", "--heartbeat-interval", "1s",
                "--slot-name", "deep_storage_cli", "--parallelism", "2", "--state-backend", "hashmap");
    }

    private static int generate(int events, long firstOperationId) throws Exception {
        try (Connection c = postgres.connect()) {
            return new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(events).withSeed(firstOperationId)
                    .withFirstOperationId(firstOperationId).withLateCommits(0).withRedeliveries(0)
                    .withStart(Instant.parse("2026-11-20T08:00:00Z"))).run().events();
        }
    }

    private static void awaitSlotConfirmedNow() throws Exception {
        try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT pg_current_wal_lsn()::text");
            rs.next();
            String now = rs.getString(1);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (System.nanoTime() < deadline) {
                var confirmed = s.executeQuery("SELECT confirmed_flush_lsn >= '" + now + "'::pg_lsn FROM pg_replication_slots"
                        + " WHERE slot_name = 'deep_storage_cli'");
                if (confirmed.next() && confirmed.getBoolean(1)) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new AssertionError("the slot did not confirm " + now);
        }
    }

    /** One {@code ./deep-storage} invocation, its output collected line by line. */
    static final class Run {
        final Process process;
        final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        final BlockingQueue<String> reports = new LinkedBlockingQueue<>();

        private Run(Process process) {
            this.process = process;
            Thread pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                        if (JobReport.isReport(line)) {
                            reports.add(line);
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // ended
                }
            });
            pump.setDaemon(true);
            pump.start();
        }

        static Run start(List<String> args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of("bash", HOME.resolve("deep-storage").toString()));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(Map.of("AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey(),
                    "PG_PASSWORD", postgres.password()));
            return new Run(pb.start());
        }

        JobReport awaitReport() throws Exception {
            String line = reports.poll(4, TimeUnit.MINUTES);
            assertThat(line).as("a report; output so far:\n%s", String.join("\n", lines)).isNotNull();
            return JobReport.parse(line).orElseThrow();
        }

        int awaitExit() throws Exception {
            assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("exited; output:\n%s", String.join("\n", lines)).isTrue();
            return process.exitValue();
        }
    }
}
