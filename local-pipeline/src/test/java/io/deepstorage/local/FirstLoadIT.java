package io.deepstorage.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

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
 * The first load of a new deployment, as docs/operations.md §8 runs it: bronze starts streaming from now
 * ({@code --startup latest}), then {@code replay --from beginning} reads the outbox's history from the table, each row
 * with its transaction id. An operation whose EXECUTED committed after its STOP_TRIGGERED but carries an earlier
 * occurred_at (the app's clock) then ends EXECUTED in silver; read by the CDC snapshot, with occurred_at alone, it
 * ended PENDING.
 */
class FirstLoadIT {
    static final Path HOME = Path.of(System.getProperty("deepstorage.home", "..")).toAbsolutePath().normalize();
    static final Path LOGS = HOME.resolve("local-pipeline/target/first-load-logs");
    static final long SKEWED_OPERATION = 777_777;
    static EmbeddedPostgres postgres;
    static EmbeddedS3 s3;
    static OutboxAndLake servers;
    static Path lakeDir;

    @BeforeAll
    static void startServers(@TempDir Path lake) throws Exception {
        lakeDir = lake;
        servers = OutboxAndLake.start(lake, "lake");
        postgres = servers.postgres();
        s3 = servers.s3();
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    @Test
    void aClockSkewedOperationInTheHistoryEndsExecutedAfterAFirstLoadThroughReplay() throws Exception {
        Instant t0 = Instant.parse("2026-11-20T09:00:00Z");
        int events;
        try (Connection c = postgres.connect()) {
            events = new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(120).withStart(t0)
                    .withLateCommits(0).withRedeliveries(0)).run().events();
        }
        try (Connection c = postgres.connect()) {
            // Two transactions: the trigger commits first, EXECUTED after it, but the app stamped EXECUTED earlier.
            insert(c, "STOP_TRIGGERED", t0.plusSeconds(5));
            insert(c, "EXECUTED", t0.plusSeconds(3));
            events += 2;
        }

        try (JobProcess bronze = start("bronze", JobCommand.BRONZE, List.of("--startup", "latest",
                "--slot-name", "deep_storage_first", "--checkpoint-interval", "1s", "--heartbeat-interval", "1s"))) {
            awaitSlotStreaming("deep_storage_first");
            try (JobProcess replay = start("replay", JobCommand.REPLAY, List.of("--from", "beginning",
                    "--checkpoint-interval", "1s"))) {
                JobReport replayed = replay.awaitReport(300);
                assertThat(replay.awaitExit(60)).isZero();
                assertThat(replayed.rowsOut()).isEqualTo(events);
            }
            JobReport caughtUp = bronze.awaitReport(300);
            assertThat(caughtUp.kind()).isEqualTo(JobReport.Kind.CAUGHT_UP);
            assertThat(caughtUp.count("distinct_events")).isEqualTo(events);
            bronze.stop();
            assertThat(bronze.awaitReport(300).kind()).isEqualTo(JobReport.Kind.SUMMARY);
            assertThat(bronze.awaitExit(60)).isZero();
        }
        try (JobProcess silver = start("silver", JobCommand.SILVER, List.of())) {
            silver.awaitReport(600);
            assertThat(silver.awaitExit(60)).isZero();
        }
        LakeReader reader = new LakeReader(s3.endpoint(), "lake", s3.accessKey(), s3.secretKey());
        Map<Long, String> status = reader.rows("silver/stop_executions").stream().collect(Collectors.toMap(
                r -> (Long) r.get("operation_id"), r -> r.get("status").toString()));
        assertThat(status.get(SKEWED_OPERATION)).isEqualTo("EXECUTED");
    }

    @Test
    void aReplayKilledHalfWayAndResumedFromItsCheckpointWritesEachEventOnce() throws Exception {
        String bucket = "resume";
        s3.blobStore().createContainerInLocation(null, bucket);
        String db = "resume_outbox";
        try (Connection c = postgres.connect()) {
            c.createStatement().execute("CREATE DATABASE " + db);
        }
        int events;
        try (Connection c = java.sql.DriverManager.getConnection(postgres.jdbcUrl(db), postgres.user(), postgres.password())) {
            OutboxSchema.create(c);
            events = new OutboxTrafficGenerator(() -> c, OutboxTrafficGenerator.Options.defaults(3000)
                    .withStart(Instant.parse("2026-11-21T09:00:00Z")).withLateCommits(0).withRedeliveries(0)).run().events();
        }
        // Throttled, so it is still reading when killed: about 6 s for everything.
        List<String> replayArgs = List.of("--pg-database", db, "--from", "beginning", "--max-rows-per-second", "500",
                "--checkpoint-interval", "1s", "--parallelism", "1", "--replay-chunks", "4");
        Path checkpoints = lakeDir.resolve(bucket).resolve("flink/replay-checkpoints");
        String resumeFrom;
        try (JobProcess first = start("replay-killed", JobCommand.REPLAY, replayArgs, bucket)) {
            resumeFrom = awaitCompletedCheckpoint(checkpoints, first);
            ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly(); // SIGKILL
            first.awaitExit(60);
        }
        List<String> resumeArgs = new ArrayList<>(replayArgs);
        resumeArgs.addAll(List.of("--resume", resumeFrom));
        try (JobProcess resumed = start("replay-resumed", JobCommand.REPLAY, resumeArgs, bucket)) {
            resumed.awaitReport(300);
            assertThat(resumed.awaitExit(60)).isZero();
        }
        LakeReader reader = new LakeReader(s3.endpoint(), bucket, s3.accessKey(), s3.secretKey());
        Map<String, Long> copies = reader.rows("bronze/events").stream().collect(Collectors.groupingBy(
                r -> r.get("event_id").toString(), Collectors.counting()));
        long doubled = copies.values().stream().filter(n -> n > 1).count();
        System.out.printf("replay killed after %s and resumed: events %d, in bronze %d, doubled %d%n",
                resumeFrom, events, copies.size(), doubled);
        assertThat(copies).as("every outbox event is in bronze").hasSize(events);
        // Each chunk resumes after the last event_id its checkpoint kept (OutboxTableSource).
        assertThat(doubled).as("events written twice across the kill").isZero();
    }

    /** The path of the first completed checkpoint of the replay (a chk-N folder with its _metadata). */
    private static String awaitCompletedCheckpoint(Path checkpoints, JobProcess replay) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(3);
        while (true) {
            if (java.nio.file.Files.exists(checkpoints)) {
                try (var files = java.nio.file.Files.walk(checkpoints)) {
                    var metadata = files.filter(f -> f.getFileName().toString().equals("_metadata")
                            && f.getParent().getFileName().toString().startsWith("chk-")).findFirst();
                    if (metadata.isPresent()) {
                        Path chk = metadata.get().getParent();
                        return "s3://resume/flink/replay-checkpoints/" + checkpoints.relativize(chk).toString().replace('\\', '/');
                    }
                }
            }
            assertThat(replay.isAlive()).as("the replay still runs (it finished before a checkpoint?)").isTrue();
            assertThat(System.nanoTime()).as("a checkpoint within 3 minutes").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static JobProcess start(String name, JobCommand command, List<String> more) throws Exception {
        return start(name, command, more, "lake");
    }

    private static JobProcess start(String name, JobCommand command, List<String> more, String bucket) throws Exception {
        List<String> args = new ArrayList<>(List.of("--s3-endpoint", s3.endpoint(), "--bucket", bucket));
        if (command != JobCommand.SILVER) {
            args.addAll(List.of("--pg-host", postgres.host(), "--pg-port", String.valueOf(postgres.port()),
                    "--pg-database", postgres.database(), "--pg-user", postgres.user()));
        }
        args.addAll(more);
        return JobProcess.start(name, HOME, command, List.of(), args, Map.of("AWS_ACCESS_KEY_ID", s3.accessKey(),
                "AWS_SECRET_ACCESS_KEY", s3.secretKey(), "PG_PASSWORD", postgres.password()), LOGS);
    }

    private static void insert(Connection c, String type, Instant occurredAt) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO stop_events (event_id, event_seq, occurred_at,"
                + " operation_id, client_id, symbol, event_type, trigger_price, stop_price, quantity, side,"
                + " execution_token, payload_json, source, retry_count, fill_price, slippage_pct) VALUES (?::uuid, NULL, ?,"
                + " ?, 42, 'BTCUSDC', ?, 60000, 59900, 0.1, 'SELL', 'tok-skew', '{}'::jsonb, 'ws', 0, ?, ?)")) {
            ps.setString(1, UUID.randomUUID().toString());
            ps.setObject(2, java.time.OffsetDateTime.ofInstant(occurredAt, java.time.ZoneOffset.UTC));
            ps.setLong(3, SKEWED_OPERATION);
            ps.setString(4, type);
            boolean executed = type.equals("EXECUTED");
            ps.setBigDecimal(5, executed ? new BigDecimal("59890") : null);
            ps.setBigDecimal(6, executed ? new BigDecimal("0.0167") : null);
            ps.executeUpdate();
        }
    }

    private static void awaitSlotStreaming(String slot) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(3);
        try (Connection c = postgres.connect(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM"
                + " pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = ?")) {
            ps.setString(1, slot);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                assertThat(System.nanoTime()).as("slot %s streams within 3 minutes", slot).isLessThan(deadline);
                Thread.sleep(250);
            }
        }
    }
}
