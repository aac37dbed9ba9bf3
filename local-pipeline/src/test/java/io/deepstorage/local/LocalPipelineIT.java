package io.deepstorage.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import io.deepstorage.cli.JobReport;
import io.deepstorage.embedded.EmbeddedS3;
import io.deepstorage.schemas.LakeLayout;

/**
 * The whole pipeline end to end on the embedded servers, each job in its own JVM exactly as {@code ./run-local}
 * runs it, then the lake read back through the S3 server and checked against the outbox.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalPipelineIT {
    @TempDir
    static Path lake;
    static LocalPipeline pipeline;
    static LocalPipeline.Report report;
    static LakeReader reader;
    /** operation_id → event_type → [min, max] occurred_at, straight from the outbox. */
    static Map<Long, Map<String, Instant[]>> outboxTimes = new HashMap<>();
    static Set<String> outboxIds = new HashSet<>();
    static Set<String> malformedIds = new HashSet<>();
    static Map<Long, Long> clientOf = new HashMap<>();

    @BeforeAll
    static void runThePipeline() throws Exception {
        LocalPipelineOptions options = LocalPipelineOptions.parse(new String[] {
            // Small on purpose: a new user's first run is small, and gold's label gate must pass at that size too.
            "--events", "500", "--lake", lake.toString(), "--checkpoint-interval", "1s", "--timeout-seconds", "600",
            // A fixed as-of makes gold reproducible: the same silver gives the same content hash.
            "--gold-as-of", "2026-12-01T00:00:00Z"}, Map.of());
        pipeline = new LocalPipeline(options, Path.of(System.getProperty("deepstorage.home")));
        report = pipeline.run();
        reader = new LakeReader(report.s3Endpoint(), report.bucket(), EmbeddedS3.DEFAULT_ACCESS_KEY, EmbeddedS3.DEFAULT_SECRET_KEY);
        try (Connection c = DriverManager.getConnection(pipeline.jdbcUrl(), "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT event_id::text, operation_id, event_type, occurred_at, symbol, client_id FROM stop_events")) {
            while (rs.next()) {
                outboxIds.add(rs.getString(1));
                clientOf.put(rs.getLong(2), rs.getLong(6));
                if (rs.getString(5).isBlank()) {
                    malformedIds.add(rs.getString(1));
                    continue;
                }
                Instant t = rs.getTimestamp(4).toInstant();
                Instant[] range = outboxTimes.computeIfAbsent(rs.getLong(2), k -> new HashMap<>())
                        .computeIfAbsent(rs.getString(3), k -> new Instant[] {t, t});
                range[0] = t.isBefore(range[0]) ? t : range[0];
                range[1] = t.isAfter(range[1]) ? t : range[1];
            }
        }
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void bronzeHoldsEveryOutboxEventExactlyOnceAndTheMalformedOnesAsDeadLetters() throws Exception {
        List<LakeReader.Row> bronze = reader.rows("bronze/events");
        List<String> ids = bronze.stream().map(r -> r.get("event_id").toString()).toList();
        Set<String> expected = new HashSet<>(outboxIds);
        expected.removeAll(malformedIds);

        assertThat(malformedIds).hasSize(3);
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(new HashSet<>(ids)).isEqualTo(expected);
        assertThat(reader.rows("bronze/_dlq")).extracting(r -> r.get("event_id").toString())
                .containsExactlyInAnyOrderElementsOf(malformedIds);

        JobReport summary = report.jobs().get("bronze");
        assertThat(summary.count("rows_out")).isEqualTo(expected.size());
        assertThat(summary.count("duplicates_dropped")).isEqualTo(3);
        assertThat(summary.count("dead_letters")).isEqualTo(3);
        assertThat(summary.count("deletes")).isEqualTo(3);
    }

    @Test
    @Order(2)
    void silverHasOneRowPerOperationWithItsFinalStatusAndTimes() throws Exception {
        List<LakeReader.Row> silver = reader.rows("silver/stop_executions");
        Map<Long, String> expectedStatus = new HashMap<>(report.snapshotTraffic().expectedStatus());
        expectedStatus.putAll(report.liveTraffic().expectedStatus());

        assertThat(silver).extracting(r -> (Long) r.get("operation_id")).doesNotHaveDuplicates();
        Map<Long, LakeReader.Row> byOperation = silver.stream().collect(Collectors.toMap(r -> (Long) r.get("operation_id"), r -> r));
        assertThat(byOperation.keySet()).isEqualTo(expectedStatus.keySet());
        for (var e : expectedStatus.entrySet()) {
            LakeReader.Row row = byOperation.get(e.getKey());
            assertThat(row.get("status").toString()).as("status of operation %d", e.getKey()).isEqualTo(e.getValue());
            Map<String, Instant[]> times = outboxTimes.get(e.getKey());
            assertThat(row.get("triggered_at")).as("triggered_at of %d", e.getKey())
                    .isEqualTo(times.containsKey("STOP_TRIGGERED") ? times.get("STOP_TRIGGERED")[0] : null);
            assertThat(row.get("executed_at")).as("executed_at of %d", e.getKey())
                    .isEqualTo(times.containsKey("EXECUTED") ? times.get("EXECUTED")[1] : null);
            assertThat(row.get("failed_at")).as("failed_at of %d", e.getKey())
                    .isEqualTo(times.containsKey("FAILED") ? times.get("FAILED")[1] : null);
            assertThat(row.partition().get("client_id")).isEqualTo(clientOf.get(e.getKey()).toString());
            assertThat(row.partition().get("date")).isEqualTo(
                    times.values().stream().map(r -> r[0]).min(Instant::compareTo).orElseThrow().toString().substring(0, 10));
        }
        assertThat(report.jobs().get("silver").count("rows_out")).isEqualTo(expectedStatus.size());
    }

    @Test
    @Order(3)
    void rerunningSilverChangesNothing() throws Exception {
        Set<String> before = silverRowsAsText();
        pipeline.runSilverAgain();
        assertThat(silverRowsAsText()).isEqualTo(before);
    }

    @Test
    @Order(4)
    void goldIsATimeSplitTrainingSetWithAManifestThatMatchesIt() throws Exception {
        String version = "gold/training_sets/stop_outcome/v1.0.0";
        List<LakeReader.Row> train = reader.rows(version + "/train");
        List<LakeReader.Row> test = reader.rows(version + "/test");
        var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(reader.text(version + "/_manifest.json"));

        assertThat(manifest.get("row_counts").get("train").asLong()).isEqualTo(train.size()).isPositive();
        assertThat(manifest.get("row_counts").get("test").asLong()).isEqualTo(test.size()).isPositive();
        assertThat(manifest.get("content_hash").asText()).hasSize(64).isEqualTo(report.jobs().get("gold").text("content_hash"));
        Instant lastTrain = train.stream().map(r -> (Instant) r.get("triggered_at")).max(Instant::compareTo).orElseThrow();
        Instant firstTest = test.stream().map(r -> (Instant) r.get("triggered_at")).min(Instant::compareTo).orElseThrow();
        assertThat(lastTrain).isBefore(firstTest);

        Map<Long, String> status = new HashMap<>(report.snapshotTraffic().expectedStatus());
        status.putAll(report.liveTraffic().expectedStatus());
        for (String splitName : List.of("train", "test")) {
            List<LakeReader.Row> split = splitName.equals("train") ? train : test;
            long successes = 0;
            for (LakeReader.Row r : split) {
                String s = status.get((Long) r.get("operation_id"));
                assertThat(s).isIn("EXECUTED", "FAILED");
                assertThat(r.get("execution_success")).isEqualTo("EXECUTED".equals(s));
                successes += "EXECUTED".equals(s) ? 1 : 0;
            }
            // The manifest's label balance is what the generator intended for these operations.
            assertThat(manifest.get("label_balance").get(splitName).get("positives").asLong()).isEqualTo(successes);
        }
    }

    @Test
    @Order(4)
    void goldAlsoHoldsTheSlippageSetOfEveryExecutedFillSplitInTime() throws Exception {
        String version = "gold/training_sets/slippage_prediction/v1.0.0";
        List<LakeReader.Row> train = reader.rows(version + "/train");
        List<LakeReader.Row> test = reader.rows(version + "/test");
        var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(reader.text(version + "/_manifest.json"));
        assertThat(manifest.get("content_hash").asText()).isEqualTo(report.jobs().get("gold").text("slippage_prediction_content_hash"));
        assertThat(manifest.get("row_counts").get("train").asLong()).isEqualTo(train.size()).isPositive();
        assertThat(manifest.get("row_counts").get("test").asLong()).isEqualTo(test.size()).isPositive();
        Instant lastTrain = train.stream().map(r -> (Instant) r.get("triggered_at")).max(Instant::compareTo).orElseThrow();
        Instant firstTest = test.stream().map(r -> (Instant) r.get("triggered_at")).min(Instant::compareTo).orElseThrow();
        assertThat(lastTrain).isBefore(firstTest);
        Map<Long, String> status = new HashMap<>(report.snapshotTraffic().expectedStatus());
        status.putAll(report.liveTraffic().expectedStatus());
        for (LakeReader.Row r : train) {
            assertThat(status.get((Long) r.get("operation_id"))).isEqualTo("EXECUTED");
        }
        assertThat(PipelineReport.table(report, java.time.Duration.ZERO)).contains("gold: stop_outcome v1.0.0")
                .contains("gold: slippage_prediction v1.0.0").contains("silver: 0 operations quarantined");
    }

    @Test
    @Order(5)
    void duckDbCountsWhatEachJobPrinted() throws Exception {
        Path bucket = report.lakeDir();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
            assertThat(duckCount(duck, LakeLayout.partGlob(bucket.resolve(LakeLayout.BRONZE_EVENTS).toString(), 1)))
                    .isEqualTo(report.jobs().get("bronze").rowsOut());
            assertThat(duckCount(duck, LakeLayout.partGlob(bucket.resolve(LakeLayout.SILVER_STOP_EXECUTIONS).toString(), 2)))
                    .isEqualTo(report.jobs().get("silver").rowsOut());
            long stopOutcome = duckCount(duck, LakeLayout.partGlob(bucket.resolve(LakeLayout.goldTrainingSet("stop_outcome", "1.0.0")).toString(), 1));
            long slippage = duckCount(duck, LakeLayout.partGlob(bucket.resolve(LakeLayout.goldTrainingSet("slippage_prediction", "1.0.0")).toString(), 1));
            assertThat(stopOutcome + slippage).isEqualTo(report.jobs().get("gold").rowsOut());
            assertThat(slippage).isEqualTo(report.jobs().get("gold").count("slippage_prediction_train_rows")
                    + report.jobs().get("gold").count("slippage_prediction_test_rows"));
        }
    }

    @Test
    @Order(6)
    void aReplayFromAPointLeavesSilverRowsAndTheGoldContentHashAsTheyWere() throws Exception {
        Set<String> silverBefore = silverRowsAsText();
        String goldBefore = report.jobs().get("gold").text("content_hash");
        List<Instant> times = outboxTimes.values().stream().flatMap(m -> m.values().stream()).map(r -> r[0]).sorted().toList();
        Instant from = times.get(times.size() / 2);

        JobReport replayed = pipeline.replay(List.of("--from", from.toString()));
        JobReport silver = pipeline.runSilverAgain();
        JobReport gold = pipeline.runGoldAgain();

        System.out.println("replay from " + from + ": " + replayed.line());
        assertThat(replayed.rowsOut()).as("rows replayed").isPositive();
        assertThat(silver.count("duplicates_dropped")).as("silver saw the replayed copies")
                .isGreaterThanOrEqualTo(replayed.rowsOut());
        assertThat(silverRowsAsText()).as("silver rows after the replay").isEqualTo(silverBefore);
        assertThat(gold.text("content_hash")).as("gold content hash after the replay").isEqualTo(goldBefore);
        assertThat(gold.text("slippage_prediction_content_hash")).as("slippage_prediction's")
                .isEqualTo(report.jobs().get("gold").text("slippage_prediction_content_hash"));
        assertThat(gold.count("files_written")).as("both sets unchanged: nothing rewritten").isZero();
    }

    private static long duckCount(Connection duck, String glob) throws Exception {
        try (ResultSet rs = duck.createStatement().executeQuery("SELECT count(*) FROM read_parquet('" + glob + "')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Set<String> silverRowsAsText() throws Exception {
        Set<String> rows = new HashSet<>();
        for (LakeReader.Row r : reader.rows("silver/stop_executions")) {
            assertThat(rows.add(r.partition() + " " + r.record())).as("row twice: %s", r.record()).isTrue();
        }
        return rows;
    }
}
