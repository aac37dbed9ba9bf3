package io.deepstorage.gold;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deepstorage.cli.JobReport;
import io.deepstorage.schemas.LakeLayout;
import io.deepstorage.schemas.Schemas;
import io.deepstorage.schemas.StopExecution;
import io.deepstorage.spark.AvroRows;
import io.deepstorage.spark.ParquetSink;
import io.deepstorage.spark.testkit.SharedSparkLake;
import io.deepstorage.spark.testkit.SparkLake;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSparkLake.class)
class GoldJobIT {
    private static final Instant T0 = Instant.parse("2024-03-04T09:00:00Z");
    private static final String AS_OF = "2024-03-05T00:00:00Z";
    private static final StructType SILVER_ROW = AvroRows.structOf(Schemas.stopExecution(),
            DataTypes.createStructField("date", DataTypes.DateType, false));

    private final SparkLake kit;

    GoldJobIT(SparkLake kit) {
        this.kit = kit;
    }

    private static StopExecution.Builder operation(long id, long client, String status, Instant first) {
        return StopExecution.newBuilder()
                .setOperationId(id).setClientId(client).setSymbol("BTCUSDC").setStatus(status).setSource("ws")
                .setFirstEventAt(first).setLastEventAt(first).setAttempts(1).setEventCount(1)
                .setLastEventType(status).setSourceEventIds(List.of("ev-" + id));
    }

    /** A trigger every 2 minutes; a third of the outcomes fail; the last train-side row finishes after the cutoff. */
    private static List<StopExecution> balancedSilver(boolean allExecuted) {
        return balancedSilver(allExecuted, false);
    }

    /** {@code sameSlippage}: every fill slipped 1 %, so slippage_prediction has nothing to learn. */
    private static List<StopExecution> balancedSilver(boolean allExecuted, boolean sameSlippage) {
        List<StopExecution> ops = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Instant triggered = T0.plusSeconds(120L * i);
            boolean executed = allExecuted || i % 3 != 0;
            Instant outcome = triggered.plusSeconds(i == 15 ? 600 : 5);
            StopExecution.Builder op = operation(i + 1, 1 + i % 2, executed ? "EXECUTED" : "FAILED", triggered)
                    .setTriggeredAt(triggered).setLastEventAt(outcome)
                    .setTriggerPrice(new BigDecimal(100 + i % 4).setScale(8)).setStopPrice(new BigDecimal("95.00000000"))
                    .setEntryPrice(new BigDecimal("110.00000000"));
            if (executed) {
                op.setExecutedAt(outcome).setFillPrice(new BigDecimal("94.00000000")).setSlippagePct(new BigDecimal(
                        i == 4 ? "12.5000" : sameSlippage ? "1.0000" : (1 + i % 3) + ".0000"));
            } else {
                op.setFailedAt(outcome).setLastError("timeout");
            }
            ops.add(op.build());
        }
        // A lone FAILED: the attempt's trigger rolled back with it; an example timed by its first event (after the
        // others, so it lands in test and leaves the split of the 20 above as it is).
        ops.add(operation(103, 1, "FAILED", T0.plusSeconds(39 * 60 + 30)).setFailedAt(T0.plusSeconds(39 * 60 + 40)).build());
        // Never examples: blocked, pending, and an outcome after as-of.
        ops.add(operation(101, 1, "BLOCKED", T0).setTriggeredAt(T0).setBlockedAt(T0.plusSeconds(1)).build());
        ops.add(operation(102, 2, "PENDING", T0).setTriggeredAt(T0).build());
        Instant late = Instant.parse(AS_OF).plusSeconds(10);
        ops.add(operation(104, 2, "EXECUTED", late.minusSeconds(5)).setTriggeredAt(late.minusSeconds(5)).setExecutedAt(late).build());
        return ops;
    }

    private String lakeWithSilver(List<StopExecution> ops) {
        String lake = kit.newLake("gold");
        List<Row> rows = ops.stream().map(op -> AvroRows.toRow(op, op.getFirstEventAt().atOffset(ZoneOffset.UTC).toLocalDate())).toList();
        Dataset<Row> silver = kit.spark().createDataFrame(rows, SILVER_ROW);
        new ParquetSink(kit.spark()).writePartitioned(silver, lake + "/" + LakeLayout.SILVER_STOP_EXECUTIONS, List.of("client_id", "date"));
        return lake;
    }

    private record Run(int exitCode, String stdout, String stderr) {
        Map<String, Object> summary() {
            return stdout.lines().map(JobReport::parse).flatMap(Optional::stream).reduce((a, b) -> b).orElseThrow().values();
        }
    }

    private Run runGold(String lake, String... more) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = GoldJob.run(SparkLake.args(lake, more), kit.env(), new PrintStream(out, true), new PrintStream(err, true));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void gold_writes_time_split_train_and_test_with_a_manifest_and_reruns_reproducibly() throws Exception {
        String lake = lakeWithSilver(balancedSilver(false));
        Run run = runGold(lake, "--as-of", AS_OF, "--version", "1.0.0");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        Map<String, Object> summary = run.summary();
        assertThat(summary).containsEntry("job", "gold").containsEntry("rows_in", 24).containsEntry("examples", 21)
                .containsEntry("train_rows", 15).containsEntry("test_rows", 5).containsEntry("purged_rows", 1)
                .containsEntry("unchanged", false)
                // 21 trigger times, test fraction 0.2: floor(0.8 × 21) = 16, the 17th trigger (i = 16, T0 + 32 min).
                .containsEntry("cutoff", "2024-03-04T09:32:00Z");

        String version = lake + "/" + LakeLayout.goldTrainingSet("stop_outcome", "1.0.0");
        Dataset<Row> train = kit.spark().read().parquet(version + "/train");
        Dataset<Row> test = kit.spark().read().parquet(version + "/test");
        assertThat(train.columns()).containsExactly(Schemas.stopOutcomeExample().getFields().stream().map(f -> f.name()).toArray(String[]::new));
        assertRequiredAsInTheContract(kit.localDir(lake).resolve(LakeLayout.goldTrainingSet("stop_outcome", "1.0.0")), Schemas.stopOutcomeExample());
        Instant lastTrain = train.agg(org.apache.spark.sql.functions.max("triggered_at")).first().getAs(0);
        Instant firstTest = test.agg(org.apache.spark.sql.functions.min("triggered_at")).first().getAs(0);
        assertThat(lastTrain).as("i = 14; i = 15 is purged").isEqualTo(T0.plusSeconds(28 * 60));
        assertThat(firstTest).as("i = 16, the cutoff").isEqualTo(T0.plusSeconds(32 * 60));
        assertThat(train.join(test, "operation_id").count()).isZero();
        assertThat(train.filter("operation_id = 16").count()).as("outcome after the cutoff is purged").isZero();
        Row loneFailed = test.filter("operation_id = 103").first();
        assertThat(loneFailed.<Instant>getAs("triggered_at")).as("timed by its first event").isEqualTo(T0.plusSeconds(39 * 60 + 30));
        assertThat(loneFailed.<Boolean>getAs("execution_success")).isFalse();
        Row breach = train.filter("operation_id = 5").first();
        assertThat(breach.<Boolean>getAs("slippage_breach")).isTrue();
        assertThat(breach.<Double>getAs("stop_distance_pct")).isCloseTo(100.0 * 15 / 110, org.assertj.core.data.Offset.offset(1e-9));
        Row withHistory = train.filter("operation_id = 9").first();
        // Op 9 (i = 8, T0 + 16 min) sees the trigger prices of i = 1..7 (T0 + 2..14 min; i = 0 at T0 is 16 min
        // before): 101, 102, 103, 100, 101, 102, 103. Log returns 0.0098522964, 0.0097561749, −0.0295588022,
        // 0.0099503309, 0.0098522964, 0.0097561749; mean 0.0032680786; squared deviations 0.0000433519,
        // 0.0000420954, 0.0010776041, 0.0000446525, 0.0000433519, 0.0000420954 sum to 0.0012931512;
        // / (6 − 1) = 0.0002586302; stdev 0.0160819852.
        assertThat(withHistory.<Double>getAs("volatility_15m")).as("7 earlier triggers within 15 min")
                .isCloseTo(0.01608198519177194, org.assertj.core.data.Offset.offset(1e-12));
        // Op 9 is client 1 (i even); its hour holds the outcomes of i = 0, 2, 4, 6 (FAILED, EXECUTED, EXECUTED,
        // FAILED, i % 3 == 0 failing): the latest run is 1 failure.
        assertThat(withHistory.<Integer>getAs("consecutive_failures_1h")).isEqualTo(1);
        assertThat(withHistory.<Instant>getAs("generated_at")).isEqualTo(Instant.parse(AS_OF));

        Path manifestFile = kit.localDir(lake).resolve(LakeLayout.goldTrainingSet("stop_outcome", "1.0.0")).resolve("_manifest.json");
        JsonNode manifest = new ObjectMapper().readTree(Files.readString(manifestFile));
        assertThat(manifest.get("content_hash").asText()).isEqualTo(summary.get("content_hash")).hasSize(64);
        assertThat(manifest.get("generated_at").asText()).isEqualTo(AS_OF);
        assertThat(manifest.get("row_counts").get("train").asLong()).isEqualTo(15);
        assertThat(manifest.get("row_counts").get("test").asLong()).isEqualTo(5);
        assertThat(manifest.get("schema").get("name").asText()).isEqualTo("StopOutcomeExample");
        assertThat(manifest.get("code_version").asText()).isNotBlank().isNotEqualTo("unknown");
        assertThat(manifest.get("features").get("omitted").findValuesAsText("name")).containsExactly("time_to_trigger_sec", "volume_24h");
        // One file per silver partition: client 1 and client 2 on 2024-03-04, client 2 (op 104) on 2024-03-05.
        assertThat(manifest.get("source_silver").get("files").findValuesAsText("path"))
                .extracting(path -> path.replaceAll(".*/stop_executions/(.*)/part-.*\\.parquet$", "$1"))
                .containsExactly("client_id=1/date=2024-03-04", "client_id=2/date=2024-03-04", "client_id=2/date=2024-03-05");
        assertThat(manifest.get("label_balance").get("test").get("execution_success_ratio").asDouble()).isEqualTo(0.6);

        // slippage_prediction: the 13 EXECUTED fills before as-of; i = 15 failed, so nothing is purged.
        assertThat(summary).containsEntry("slippage_prediction_examples", 13)
                .containsEntry("slippage_prediction_train_rows", 10).containsEntry("slippage_prediction_test_rows", 3)
                .containsEntry("slippage_prediction_unchanged", false)
                .containsEntry("rows_out", 20 + 13);
        String slippageVersion = lake + "/" + LakeLayout.goldTrainingSet("slippage_prediction", "1.0.0");
        Dataset<Row> slipTrain = kit.spark().read().parquet(slippageVersion + "/train");
        Dataset<Row> slipTest = kit.spark().read().parquet(slippageVersion + "/test");
        assertThat(slipTrain.columns()).containsExactly(Schemas.slippagePredictionExample().getFields().stream()
                .map(f -> f.name()).toArray(String[]::new));
        assertRequiredAsInTheContract(kit.localDir(lake).resolve(LakeLayout.goldTrainingSet("slippage_prediction", "1.0.0")),
                Schemas.slippagePredictionExample());
        Instant lastSlipTrain = slipTrain.agg(org.apache.spark.sql.functions.max("triggered_at")).first().getAs(0);
        Instant firstSlipTest = slipTest.agg(org.apache.spark.sql.functions.min("triggered_at")).first().getAs(0);
        assertThat(lastSlipTrain).as("i = 14").isEqualTo(T0.plusSeconds(28 * 60)).isBefore(firstSlipTest);
        assertThat(firstSlipTest).as("i = 16").isEqualTo(T0.plusSeconds(32 * 60));
        Row slip9 = slipTrain.filter("operation_id = 9").first();
        // Op 9 (i = 8, client 1, T0 + 16 min). Client 1's fills before it: i = 2 (3 %), i = 4 (12.5 %) → 7.75;
        // its outcomes: i = 0 FAILED, 2 and 4 EXECUTED, 6 FAILED → 0.5. The symbol's triggers in [T0 + 1 min,
        // T0 + 16 min): i = 1..7, the earliest i = 1 at 101; its own price 100 → (100 / 101 − 1) × 100.
        assertThat(slip9.<Double>getAs("client_slippage_mean_24h")).isCloseTo(7.75, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(slip9.<Double>getAs("client_failure_rate_24h")).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(slip9.<Double>getAs("trigger_price_change_15m_pct"))
                .isCloseTo((100.0 / 101 - 1) * 100, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(slip9.<Double>getAs("volatility_15m")).isCloseTo(0.01608198519177194, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(slip9.<Double>getAs("slippage_pct")).isEqualTo(3.0);
        assertThat(slipTrain.filter("operation_id = 5").first().<Boolean>getAs("slippage_breach")).isTrue();
        JsonNode slipManifest = new ObjectMapper().readTree(Files.readString(kit.localDir(lake)
                .resolve(LakeLayout.goldTrainingSet("slippage_prediction", "1.0.0")).resolve("_manifest.json")));
        assertThat(slipManifest.get("name").asText()).isEqualTo("slippage_prediction");
        assertThat(slipManifest.get("schema").get("name").asText()).isEqualTo("SlippagePredictionExample");
        assertThat(slipManifest.get("content_hash").asText()).isEqualTo(summary.get("slippage_prediction_content_hash"));
        assertThat(slipManifest.get("features").get("used")).hasSize(SlippageExampleBuilder.FEATURES.size());

        Run again = runGold(lake, "--as-of", AS_OF, "--version", "1.0.0");
        assertThat(again.exitCode()).as(again.stderr()).isZero();
        assertThat(again.summary()).containsEntry("content_hash", summary.get("content_hash"))
                .containsEntry("slippage_prediction_content_hash", summary.get("slippage_prediction_content_hash"))
                .containsEntry("unchanged", true).containsEntry("slippage_prediction_unchanged", true)
                .containsEntry("files_written", 0);
    }

    @Test
    void the_features_joined_by_broadcast_are_the_rows_a_shuffled_join_gives() {
        String silverUri = lakeWithSilver(balancedSilver(false)) + "/" + LakeLayout.SILVER_STOP_EXECUTIONS;
        Dataset<Row> silver = GoldJob.readSilver(kit.spark(), silverUri);
        Dataset<Row> history = OtherOperationsFeatures.history(silver);
        Instant asOf = Instant.parse(AS_OF);
        Dataset<Row> byBroadcast = OtherOperationsFeatures.withFeatures(silver, history, asOf, true);
        assertThat(byBroadcast.queryExecution().executedPlan().toString()).contains("BroadcastHashJoin").doesNotContain("SortMergeJoin");
        List<Row> broadcast = byBroadcast.orderBy("operation_id").collectAsList();
        List<Row> shuffled;
        // Spark would broadcast rows this few by itself: keep it from doing so, to see the shuffled join's rows.
        kit.spark().conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
        try {
            Dataset<Row> byShuffle = OtherOperationsFeatures.withFeatures(silver, history, asOf, false);
            assertThat(byShuffle.queryExecution().executedPlan().toString()).contains("SortMergeJoin").doesNotContain("BroadcastHashJoin");
            shuffled = byShuffle.orderBy("operation_id").collectAsList();
        } finally {
            kit.spark().conf().unset("spark.sql.autoBroadcastJoinThreshold");
        }
        assertThat(broadcast).hasSize(21).isEqualTo(shuffled);
        assertThat(broadcast.get(0).schema().fieldNames()).isEqualTo(shuffled.get(0).schema().fieldNames());
    }

    @Test
    void a_rebuild_of_both_sets_from_the_same_silver_and_as_of_is_byte_identical() throws Exception {
        String lake = lakeWithSilver(balancedSilver(false));
        assertThat(runGold(lake, "--as-of", AS_OF).exitCode()).isZero();
        Path gold = kit.localDir(lake).resolve(LakeLayout.GOLD_TRAINING_SETS);
        Map<String, String> first = filesUnder(gold);
        deleteRecursively(gold);
        Run rebuilt = runGold(lake, "--as-of", AS_OF);
        assertThat(rebuilt.exitCode()).as(rebuilt.stderr()).isZero();
        Map<String, String> second = filesUnder(gold);
        assertThat(first.keySet()).anyMatch(k -> k.startsWith("slippage_prediction/v1.0.0/train/part-"))
                .anyMatch(k -> k.startsWith("stop_outcome/v1.0.0/test/part-")).contains("slippage_prediction/v1.0.0/_manifest.json");
        assertThat(second).isEqualTo(first);
    }

    @Test
    void a_slippage_set_with_one_label_value_fails_the_build_and_writes_no_set() {
        String lake = lakeWithSilver(balancedSilver(false, true));
        Run run = runGold(lake, "--as-of", AS_OF);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr().strip()).isEqualTo("slippage_prediction: every slippage_pct label of test is 1: nothing to learn");
        assertThat(kit.localDir(lake).resolve(LakeLayout.GOLD_TRAINING_SETS)).as("stop_outcome passed its gates, and is not written either")
                .doesNotExist();
    }

    @Test
    void a_set_smaller_than_the_minimum_is_refused() {
        String lake = lakeWithSilver(balancedSilver(false));
        Run run = runGold(lake, "--as-of", AS_OF, "--min-train-rows", "12");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr().strip()).isEqualTo("slippage_prediction: too few examples to learn from: train 10, test 3"
                + " (at least 12 and 3; --min-train-rows, --min-test-rows)");
    }

    /**
     * Every data file and manifest under {@code root} (names without the part files' random ids) with the sha-256
     * of its bytes. Not the committer's _SUCCESS marker: it records the job's id and time, not the set.
     */
    private static Map<String, String> filesUnder(Path root) throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        try (var files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
                    .filter(f -> !f.getFileName().toString().equals("_SUCCESS")).toList()) {
                String name = root.relativize(f).toString().replaceAll("part-[0-9]+-[0-9a-f-]+", "part-*");
                out.put(name, java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return out;
    }

    private static void deleteRecursively(Path root) throws Exception {
        try (var files = Files.walk(root)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    @Test
    void a_version_with_different_content_is_refused_unless_overwrite_is_given() {
        String lake = lakeWithSilver(balancedSilver(false));
        assertThat(runGold(lake, "--as-of", AS_OF).exitCode()).isZero();

        // Same silver, a larger test share: a different split, so different content for the same version.
        Run refused = runGold(lake, "--as-of", AS_OF, "--test-fraction", "0.3");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr().strip()).startsWith("gold stop_outcome v1.0.0 already exists with content_hash")
                .endsWith("pass --overwrite to replace it").doesNotContain("\n");

        // (slippage_prediction's 13 fills leave 9 in train at 0.3: under the default minimum of 10.)
        Run replaced = runGold(lake, "--as-of", AS_OF, "--test-fraction", "0.3", "--overwrite", "--min-train-rows", "5");
        assertThat(replaced.exitCode()).as(replaced.stderr()).isZero();
        assertThat(replaced.summary()).containsEntry("unchanged", false).containsEntry("test_rows", 7).containsEntry("train_rows", 14);
        assertThat(kit.spark().read().parquet(lake + "/" + LakeLayout.goldTrainingSet("stop_outcome", "1.0.0") + "/train").count())
                .isEqualTo(((Number) replaced.summary().get("train_rows")).longValue());
    }

    @Test
    void a_version_hashed_by_an_older_build_is_refused_unless_overwrite_is_given() throws Exception {
        String lake = lakeWithSilver(balancedSilver(false));
        assertThat(runGold(lake, "--as-of", AS_OF).exitCode()).isZero();
        Path manifest = kit.localDir(lake).resolve(LakeLayout.goldTrainingSet("stop_outcome", "1.0.0")).resolve(GoldManifest.FILE_NAME);
        String written = Files.readString(manifest);
        Files.writeString(manifest, written.replace(ContentHash.ALGORITHM, "sha-256 over rows sorted by split then operation_id"));

        Run refused = runGold(lake, "--as-of", AS_OF);
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr().strip()).startsWith("gold stop_outcome v1.0.0 was hashed by an older build").doesNotContain("\n");

        Run rewritten = runGold(lake, "--as-of", AS_OF, "--overwrite");
        assertThat(rewritten.exitCode()).as(rewritten.stderr()).isZero();
        assertThat(rewritten.summary()).containsEntry("unchanged", false);
        assertThat(Files.readString(manifest)).contains(ContentHash.ALGORITHM);
        assertThat(runGold(lake, "--as-of", AS_OF).summary()).containsEntry("unchanged", true);
    }

    @Test
    void a_skewed_label_ratio_fails_the_build_and_writes_nothing() {
        String lake = lakeWithSilver(balancedSilver(true));
        Run run = runGold(lake, "--as-of", AS_OF);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr().strip()).isEqualTo("label ratio (execution_success) of train is 1.000 (15 of 15), outside the bounds 0.1-0.9");
        assertThat(run.stdout()).doesNotContain(JobReport.Kind.SUMMARY.prefix());
        assertThat(kit.localDir(lake).resolve(LakeLayout.GOLD_TRAINING_SETS)).doesNotExist();
    }

    @Test
    void a_bad_version_fails_with_a_one_line_message_and_exit_code_2() {
        Run run = runGold(kit.newLake("gold-bad"), "--version", "v1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr().strip()).isEqualTo("--version (GOLD_VERSION) must be a semantic version like 1.0.0, got 'v1'");
    }

    @Test
    void help_lists_the_gold_options_with_their_environment_variables() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = GoldJob.run(new String[] {"--help"}, Map.of(), new PrintStream(out, true), System.err);
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--version", "GOLD_VERSION", "--as-of", "GOLD_AS_OF",
                "--test-fraction", "--overwrite", "--s3-endpoint", "S3_ENDPOINT");
    }

    @Test
    void the_split_column_assigns_each_row_as_the_time_split_rule_does_at_and_around_the_cutoff() {
        Instant cutoff = Instant.parse("2024-03-04T12:00:00.000001Z");
        List<Instant> around = List.of(cutoff.minusSeconds(3600), cutoff.minusNanos(1_000), cutoff, cutoff.plusNanos(1_000),
                cutoff.plusSeconds(3600));
        List<Row> rows = new ArrayList<>();
        for (Instant triggered : around) {
            for (Instant outcome : around) {
                if (!outcome.isBefore(triggered)) {
                    rows.add(RowFactory.create(triggered, outcome));
                }
            }
        }
        StructType shape = new StructType().add("triggered_at", DataTypes.TimestampType, false)
                .add("outcome_at", DataTypes.TimestampType, false);
        List<Row> assigned = kit.spark().createDataFrame(rows, shape)
                .select(functions.col("triggered_at"), functions.col("outcome_at"), GoldJob.splitOf(cutoff).as("split"))
                .collectAsList();

        assertThat(assigned).hasSize(rows.size());
        assertThat(assigned.stream().map(r -> r.getString(2)).distinct()).containsExactlyInAnyOrder("TRAIN", "TEST", "PURGED");
        for (Row r : assigned) {
            Instant triggered = r.getAs(0);
            Instant outcome = r.getAs(1);
            assertThat(r.getString(2)).as("triggered %s, outcome %s", triggered, outcome)
                    .isEqualTo(TimeSplit.assign(triggered, outcome, cutoff).name());
        }
    }

    /**
     * Each column of the version's train and test files is required exactly where the set's Avro schema has no null
     * (read from the file's footer: Spark reads every column back as nullable).
     */
    private static void assertRequiredAsInTheContract(Path version, org.apache.avro.Schema schema) throws java.io.IOException {
        StructType contract = AvroRows.structOf(schema);
        for (String split : List.of("train", "test")) {
            Path part;
            try (var files = Files.list(version.resolve(split))) {
                part = files.filter(f -> f.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
            }
            var input = org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                    new org.apache.hadoop.fs.Path(part.toUri()), new org.apache.hadoop.conf.Configuration());
            org.apache.parquet.schema.MessageType written;
            try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(input)) {
                written = reader.getFooter().getFileMetaData().getSchema();
            }
            for (org.apache.spark.sql.types.StructField field : contract.fields()) {
                assertThat(written.getType(field.name()).isRepetition(org.apache.parquet.schema.Type.Repetition.REQUIRED))
                        .as("%s %s: required", split, field.name()).isEqualTo(!field.nullable());
            }
        }
    }
}
