package io.deepstorage.silver;

import static io.deepstorage.spark.testkit.BronzeFixtures.event;
import static io.deepstorage.spark.testkit.BronzeFixtures.pct;
import static io.deepstorage.spark.testkit.BronzeFixtures.price;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.deepstorage.cli.JobReport;
import io.deepstorage.schemas.BronzeEvent;
import io.deepstorage.schemas.LakeLayout;
import io.deepstorage.spark.testkit.BronzeFixtures;
import io.deepstorage.spark.testkit.SharedSparkLake;
import io.deepstorage.spark.testkit.SparkLake;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSparkLake.class)
class SilverJobIT {
    private static final Instant DAY1 = Instant.parse("2024-03-01T10:00:00Z");
    private static final Instant DAY2 = Instant.parse("2024-03-02T08:00:00Z");

    private final SparkLake kit;

    SilverJobIT(SparkLake kit) {
        this.kit = kit;
    }

    private static BronzeEvent op1Executed() {
        return event("op1-exec", 1, 10, "EXECUTED", DAY1.plusSeconds(3))
                .setExecutionToken("tok-1").setFillPrice(price("99.5")).setSlippagePct(pct("0.5"))
                .setExchangeOrderId("X-1").setSourceCommitLsn(110L).setSourceLsn(111L).build();
    }

    /** Bronze holding: a snapshot + stream mix, a re-delivered event, a late-committed FAILED, a lone FAILED, a guard. */
    private String lakeWithBronze() {
        String lake = kit.newLake("silver");
        var conf = kit.spark().sparkContext().hadoopConfiguration();
        BronzeEvent executed = op1Executed();
        BronzeFixtures.write(conf, lake, List.of(
                // op 1: the trigger came from the initial snapshot, the rest was streamed.
                event("op1-trig", 1, 10, "STOP_TRIGGERED", DAY1).setChangeKind("SNAPSHOT").setEventSeq(null)
                        .setTriggerPrice(price("100")).setStopPrice(price("99")).setSide("SELL")
                        .setPayloadJson("{\"entry_price\": 110, \"unknown_key\": true}").setExecutionToken("tok-1").build(),
                event("op1-sub", 1, 10, "EXECUTION_SUBMITTED", DAY1.plusSeconds(1))
                        .setExecutionToken("tok-1").setSourceCommitLsn(100L).setSourceLsn(101L).build(),
                executed,
                // op 2: EXECUTED happened later in app time but FAILED committed last.
                event("op2-trig", 2, 10, "STOP_TRIGGERED", DAY1.plusSeconds(10)).setSourceCommitLsn(200L).setSourceLsn(201L).build(),
                event("op2-exec", 2, 10, "EXECUTED", DAY1.plusSeconds(20)).setSourceCommitLsn(210L).setSourceLsn(211L).build(),
                event("op2-fail", 2, 10, "FAILED", DAY1.plusSeconds(15)).setErrorMessage("late failure")
                        .setSourceCommitLsn(220L).setSourceLsn(221L).build(),
                // op 3: a lone FAILED (the app rolled its trigger back), another client and day.
                event("op3-fail", 3, 20, "FAILED", DAY2).setErrorMessage("rolled back").setSource("cron")
                        .setSourceCommitLsn(300L).setSourceLsn(301L).build(),
                // op 4: blocked by a guard, then an event type this code has never heard of.
                event("op4-trig", 4, 20, "STOP_TRIGGERED", DAY1).setSourceCommitLsn(400L).setSourceLsn(401L).build(),
                event("op4-kill", 4, 20, "KILL_SWITCH", DAY1.plusSeconds(1)).setSourceCommitLsn(410L).setSourceLsn(411L).build(),
                event("op4-new", 4, 20, "SOMETHING_NEW", DAY1.plusSeconds(2)).setSourceCommitLsn(420L).setSourceLsn(421L).build()));
        // The same EXECUTED delivered again by a later ingest run, in its own file.
        BronzeFixtures.write(conf, lake, List.of(BronzeEvent.newBuilder(executed)
                .setIngestRunId("replay-run").setIngestedAt(DAY2.plusSeconds(60)).build()));
        // An in-progress file a reader must never open.
        BronzeFixtures.writeUncommitted(conf, lake, "2024-03-01", ".part-123.parquet.inprogress", "not parquet".getBytes(StandardCharsets.UTF_8));
        BronzeFixtures.writeUncommitted(conf, lake, "2024-03-01", "part-456.parquet.tmp", "not parquet".getBytes(StandardCharsets.UTF_8));
        return lake;
    }

    private record Run(int exitCode, String stdout, String stderr) {
        Map<String, Object> summary() {
            return stdout.lines().map(JobReport::parse).flatMap(Optional::stream).reduce((a, b) -> b).orElseThrow().values();
        }
    }

    private Run runSilver(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SilverJob.run(args, env, new PrintStream(out, true), new PrintStream(err, true));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Map<Long, Row> silverByOperation(String lake) {
        return kit.spark().read().parquet(lake + "/" + LakeLayout.SILVER_STOP_EXECUTIONS).collectAsList().stream()
                .collect(Collectors.toMap(r -> r.<Long>getAs("operation_id"), r -> r));
    }

    @Test
    void silver_folds_each_operation_once_with_its_status_and_times() {
        String lake = lakeWithBronze();
        Run run = runSilver(kit.env(), SparkLake.args(lake));

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.summary())
                .containsEntry("job", "silver")
                .containsEntry("rows_in", 11)
                .containsEntry("distinct_events", 10)
                .containsEntry("duplicates_dropped", 1)
                .containsEntry("rows_out", 4)
                .containsEntry("partitions", 3)
                .containsEntry("stale_partitions_removed", 0)
                .containsKeys("files_written", "seconds");

        Map<Long, Row> rows = silverByOperation(lake);
        assertThat(rows).hasSize(4);
        Row op1 = rows.get(1L);
        assertThat(op1.<String>getAs("status")).isEqualTo("EXECUTED");
        assertThat(op1.<Instant>getAs("triggered_at")).isEqualTo(DAY1);
        assertThat(op1.<Instant>getAs("executed_at")).isEqualTo(DAY1.plusSeconds(3));
        assertThat(op1.<java.math.BigDecimal>getAs("entry_price")).isEqualByComparingTo("110");
        assertThat(op1.<Integer>getAs("event_count")).isEqualTo(3);
        assertThat(op1.<Integer>getAs("attempts")).isEqualTo(1);
        assertThat(op1.getList(op1.fieldIndex("source_event_ids"))).containsExactly("op1-trig", "op1-sub", "op1-exec");

        Row op2 = rows.get(2L);
        assertThat(op2.<String>getAs("status")).as("the FAILED committed after EXECUTED wins").isEqualTo("FAILED");
        assertThat(op2.<String>getAs("last_error")).isEqualTo("late failure");

        Row op3 = rows.get(3L);
        assertThat(op3.<String>getAs("status")).isEqualTo("FAILED");
        assertThat(op3.<Instant>getAs("triggered_at")).isNull();
        assertThat(op3.<String>getAs("source")).isEqualTo("cron");

        Row op4 = rows.get(4L);
        assertThat(op4.<String>getAs("status")).isEqualTo("BLOCKED");
        assertThat(op4.<String>getAs("last_event_type")).isEqualTo("SOMETHING_NEW");
        assertThat(op4.<String>getAs("last_error")).isEqualTo("KILL_SWITCH");

        Path silverDir = kit.localDir(lake).resolve(LakeLayout.SILVER_STOP_EXECUTIONS);
        assertThat(silverDir.resolve("client_id=10/date=2024-03-01")).isDirectory();
        assertThat(silverDir.resolve("client_id=20/date=2024-03-01")).isDirectory();
        assertThat(silverDir.resolve("client_id=20/date=2024-03-02")).isDirectory();
    }

    @Test
    void bronze_written_before_and_after_an_upgrade_added_a_column_folds_together_and_a_copy_in_both_counts_once() {
        String lake = lakeWithBronze();
        var conf = kit.spark().sparkContext().hadoopConfiguration();
        // The upgraded job writes bronze with one more nullable column: a new operation, and (after a rollback to
        // an older savepoint) op 1's EXECUTED once more.
        BronzeFixtures.writeWithNewColumn(conf, lake, List.of(
                event("op5-trig", 5, 10, "STOP_TRIGGERED", DAY1.plusSeconds(40)).setSourceCommitLsn(500L).setSourceLsn(501L).build(),
                event("op5-exec", 5, 10, "EXECUTED", DAY1.plusSeconds(41)).setFillPrice(price("99.5"))
                        .setSlippagePct(pct("0.5")).setSourceCommitLsn(500L).setSourceLsn(502L).build(),
                BronzeEvent.newBuilder(op1Executed()).setIngestRunId("after-rollback").setIngestedAt(DAY2).build()),
                "upgrade_note", "written by v2");

        Run run = runSilver(kit.env(), SparkLake.args(lake));

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.summary()).containsEntry("rows_in", 14).containsEntry("distinct_events", 12)
                .containsEntry("duplicates_dropped", 2).containsEntry("rows_out", 5);
        Map<Long, Row> rows = silverByOperation(lake);
        assertThat(rows.get(1L).<Integer>getAs("event_count")).as("op 1's EXECUTED counted once").isEqualTo(3);
        assertThat(rows.get(1L).<String>getAs("status")).isEqualTo("EXECUTED");
        assertThat(rows.get(5L).<String>getAs("status")).isEqualTo("EXECUTED");
        assertThat(rows.get(5L).<Integer>getAs("event_count")).isEqualTo(2);
    }

    @Test
    void running_silver_twice_leaves_the_same_rows_and_files() throws Exception {
        String lake = lakeWithBronze();
        assertThat(runSilver(kit.env(), SparkLake.args(lake)).exitCode()).isZero();
        List<String> first = silverRowsAsText(lake);
        long firstFiles = partFiles(lake);

        Run second = runSilver(kit.env(), SparkLake.args(lake, "--full"));
        assertThat(second.exitCode()).isZero();
        assertThat(second.summary()).containsEntry("mode", "full");
        assertThat(silverRowsAsText(lake)).hasSize(4).isEqualTo(first);
        assertThat(partFiles(lake)).isEqualTo(firstFiles).isEqualTo(((Number) second.summary().get("files_written")).longValue());
    }

    @Test
    void a_second_run_with_nothing_new_does_no_work_and_changes_nothing() throws Exception {
        String lake = lakeWithBronze();
        Run first = runSilver(kit.env(), SparkLake.args(lake));
        assertThat(first.summary()).as("no run record yet: a full build").containsEntry("mode", "full");
        List<String> rows = silverRowsAsText(lake);
        List<String> files = silverFiles(lake);

        Run second = runSilver(kit.env(), SparkLake.args(lake));
        assertThat(second.exitCode()).as(second.stderr()).isZero();
        assertThat(second.summary()).containsEntry("mode", "incremental").containsEntry("new_parts", 0)
                .containsEntry("unchanged", true).containsEntry("files_written", 0);
        assertThat(silverFiles(lake)).as("the same files, none rewritten").isEqualTo(files);
        assertThat(silverRowsAsText(lake)).isEqualTo(rows);

        // Other rule settings than the record's: a full rebuild, not rows of two settings mixed.
        assertThat(runSilver(kit.env(), SparkLake.args(lake, "--clock-skew", "10s")).summary()).containsEntry("mode", "full");
        // A record without silver behind it (silver deleted to rebuild it): a full rebuild, not "unchanged".
        new io.deepstorage.spark.LakeFiles(kit.spark().sparkContext().hadoopConfiguration())
                .delete(lake + "/" + LakeLayout.SILVER_STOP_EXECUTIONS);
        assertThat(runSilver(kit.env(), SparkLake.args(lake, "--clock-skew", "10s")).summary()).containsEntry("mode", "full");
        assertThat(silverRowsAsText(lake)).isEqualTo(rows);
    }

    @Test
    void an_incremental_run_after_new_events_gives_the_same_silver_as_a_full_rebuild() throws Exception {
        String lake = lakeWithBronze();
        var conf = kit.spark().sparkContext().hadoopConfiguration();
        assertThat(runSilver(kit.env(), SparkLake.args(lake)).exitCode()).isZero();
        BronzeFixtures.write(conf, lake, List.of(
                // op 3's trigger, a day before its lone FAILED and committed before it: op 3 moves to DAY1.
                event("op3-trig", 3, 20, "STOP_TRIGGERED", DAY1.plusSeconds(100)).setSourceCommitLsn(290L).setSourceLsn(291L).build(),
                // op 1's EXECUTED once more (a replay), and a new operation.
                BronzeEvent.newBuilder(op1Executed()).setIngestRunId("replay-2").setIngestedAt(DAY2.plusSeconds(120)).build(),
                event("op7-trig", 7, 10, "STOP_TRIGGERED", DAY2.plusSeconds(10)).setSourceCommitLsn(700L).setSourceLsn(701L).build()));

        Run incremental = runSilver(kit.env(), SparkLake.args(lake));
        assertThat(incremental.exitCode()).as(incremental.stderr()).isZero();
        assertThat(incremental.summary()).containsEntry("mode", "incremental").containsEntry("new_parts", 2)
                .containsEntry("rows_in", 3).containsEntry("operations_refolded", 3).containsEntry("duplicates_dropped", 2)
                .containsEntry("stale_partitions_removed", 1);
        Path silverDir = kit.localDir(lake).resolve(LakeLayout.SILVER_STOP_EXECUTIONS);
        assertThat(silverDir.resolve("client_id=20/date=2024-03-02")).as("op 3 moved out; nothing else lived there").doesNotExist();
        Map<Long, Row> byOperation = silverByOperation(lake);
        assertThat(byOperation).containsOnlyKeys(1L, 2L, 3L, 4L, 7L);
        assertThat(byOperation.get(3L).<Instant>getAs("triggered_at")).isEqualTo(DAY1.plusSeconds(100));
        assertThat(byOperation.get(1L).<Integer>getAs("event_count")).as("the replayed copy counted once").isEqualTo(3);
        List<String> afterIncremental = silverRowsAsText(lake);

        Run full = runSilver(kit.env(), SparkLake.args(lake, "--full"));
        assertThat(full.exitCode()).as(full.stderr()).isZero();
        assertThat(silverRowsAsText(lake)).as("a full rebuild finds the same silver").isEqualTo(afterIncremental);

        // Only DAY2 is new now, but op 4's earlier events are on DAY1: its silver row says where to read them.
        BronzeFixtures.write(conf, lake, List.of(
                event("op4-late", 4, 20, "FAILED", DAY2.plusSeconds(30)).setErrorMessage("after the guard")
                        .setSourceCommitLsn(430L).setSourceLsn(431L).build()));
        Run late = runSilver(kit.env(), SparkLake.args(lake));
        assertThat(late.summary()).containsEntry("mode", "incremental").containsEntry("operations_refolded", 1)
                .containsEntry("bronze_dates_read", 2);
        assertThat(silverByOperation(lake).get(4L).<Integer>getAs("event_count")).isEqualTo(4);
        List<String> afterLate = silverRowsAsText(lake);
        assertThat(runSilver(kit.env(), SparkLake.args(lake, "--full")).exitCode()).isZero();
        assertThat(silverRowsAsText(lake)).as("a full rebuild finds the same silver again").isEqualTo(afterLate);
    }

    @Test
    void an_incremental_run_adds_a_file_and_replaces_only_the_files_of_touched_operations_until_the_partition_is_compacted() throws Exception {
        String lake = lakeWithBronze();
        var conf = kit.spark().sparkContext().hadoopConfiguration();
        String[] args = SparkLake.args(lake, "--partition-max-files", "3");
        assertThat(runSilver(kit.env(), args).exitCode()).isZero();
        Path partition = kit.localDir(lake).resolve(LakeLayout.SILVER_STOP_EXECUTIONS).resolve("client_id=10/date=2024-03-01");
        List<String> fullBuilt = partFilesIn(partition);
        assertThat(fullBuilt).hasSize(1);

        BronzeFixtures.write(conf, lake, List.of(event("op11-trig", 11, 10, "STOP_TRIGGERED", DAY1.plusSeconds(200))
                .setSourceCommitLsn(1100L).setSourceLsn(1101L).build()));
        assertThat(runSilver(kit.env(), args).summary()).containsEntry("files_replaced", 0).containsEntry("files_written", 1)
                .containsEntry("rows_out", 1).containsEntry("partitions_compacted", 0);
        assertThat(partFilesIn(partition)).hasSize(2).containsAll(fullBuilt);

        // op 11 again: only the small file holding it is replaced; the full build's file is left as it was.
        BronzeFixtures.write(conf, lake, List.of(event("op11-sub", 11, 10, "EXECUTION_SUBMITTED", DAY1.plusSeconds(201))
                .setSourceCommitLsn(1110L).setSourceLsn(1111L).build()));
        assertThat(runSilver(kit.env(), args).summary()).containsEntry("files_replaced", 1).containsEntry("rows_out", 1);
        assertThat(partFilesIn(partition)).hasSize(2).containsAll(fullBuilt);
        assertThat(silverByOperation(lake).get(11L).<Integer>getAs("event_count")).isEqualTo(2);

        BronzeFixtures.write(conf, lake, List.of(event("op12-trig", 12, 10, "STOP_TRIGGERED", DAY1.plusSeconds(300))
                .setSourceCommitLsn(1200L).setSourceLsn(1201L).build()));
        assertThat(runSilver(kit.env(), args).summary()).containsEntry("partitions_compacted", 0);
        assertThat(partFilesIn(partition)).hasSize(3);
        BronzeFixtures.write(conf, lake, List.of(event("op13-trig", 13, 10, "STOP_TRIGGERED", DAY1.plusSeconds(400))
                .setSourceCommitLsn(1300L).setSourceLsn(1301L).build()));
        assertThat(runSilver(kit.env(), args).summary()).as("a fourth file is over the limit").containsEntry("partitions_compacted", 1);
        assertThat(partFilesIn(partition)).hasSize(1).doesNotContainAnyElementsOf(fullBuilt);
        List<String> incremental = silverRowsAsText(lake);
        assertThat(silverByOperation(lake)).containsKeys(11L, 12L, 13L);

        assertThat(runSilver(kit.env(), SparkLake.args(lake, "--full")).exitCode()).isZero();
        assertThat(silverRowsAsText(lake)).as("a full rebuild finds the same silver").isEqualTo(incremental);
    }

    @Test
    void a_row_left_in_two_files_by_a_run_that_failed_before_its_deletes_is_kept_once() throws Exception {
        String lake = lakeWithBronze();
        var conf = kit.spark().sparkContext().hadoopConfiguration();
        assertThat(runSilver(kit.env(), SparkLake.args(lake)).exitCode()).isZero();
        List<String> rows = silverRowsAsText(lake);
        // What a run that wrote its new file and failed before deleting the one it replaced leaves: two copies.
        String partition = lake + "/" + LakeLayout.SILVER_STOP_EXECUTIONS + "/client_id=10/date=2024-03-01";
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(
                new io.deepstorage.spark.LakeFiles(conf).committedParts(partition).get(0).path());
        var fs = file.getFileSystem(conf);
        org.apache.hadoop.fs.FileUtil.copy(fs, file, fs, new org.apache.hadoop.fs.Path(partition + "/part-copy.parquet"), false, conf);
        assertThat(silverRowsAsText(lake)).hasSizeGreaterThan(rows.size());

        // op 1 (in that partition) delivered again: both files hold it, both are replaced, each row is kept once.
        BronzeFixtures.write(conf, lake, List.of(BronzeEvent.newBuilder(op1Executed()).setIngestRunId("replay-3").build()));
        Run run = runSilver(kit.env(), SparkLake.args(lake));
        assertThat(run.summary()).containsEntry("files_replaced", 2);
        assertThat(silverRowsAsText(lake)).isEqualTo(rows);
    }

    @Test
    void an_operation_whose_first_event_arrives_late_moves_partition_without_leaving_a_stale_copy() {
        String lake = kit.newLake("silver-move");
        var conf = kit.spark().sparkContext().hadoopConfiguration();
        BronzeFixtures.write(conf, lake, List.of(
                event("m-exec", 50, 30, "EXECUTED", DAY2).setFillPrice(price("99.5")).setSlippagePct(pct("0.5"))
                        .setSourceCommitLsn(500L).setSourceLsn(501L).build()));
        assertThat(runSilver(kit.env(), SparkLake.args(lake)).exitCode()).isZero();
        assertThat(kit.localDir(lake).resolve(LakeLayout.SILVER_STOP_EXECUTIONS).resolve("client_id=30/date=2024-03-02")).isDirectory();

        // The trigger, from the day before, reaches bronze only in a later ingest run.
        BronzeFixtures.write(conf, lake, List.of(
                event("m-trig", 50, 30, "STOP_TRIGGERED", DAY1).setSourceCommitLsn(400L).setSourceLsn(401L).build()));
        Run second = runSilver(kit.env(), SparkLake.args(lake));

        assertThat(second.exitCode()).as(second.stderr()).isZero();
        assertThat(second.summary()).containsEntry("stale_partitions_removed", 1).containsEntry("rows_out", 1);
        List<Row> rows = kit.spark().read().parquet(lake + "/" + LakeLayout.SILVER_STOP_EXECUTIONS).collectAsList();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).<String>getAs("status")).isEqualTo("EXECUTED");
        assertThat(rows.get(0).<Instant>getAs("triggered_at")).isEqualTo(DAY1);
        assertThat(kit.localDir(lake).resolve(LakeLayout.SILVER_STOP_EXECUTIONS).resolve("client_id=30/date=2024-03-02")).doesNotExist();
    }

    /** lakeWithBronze's four clean operations and two that break a rule each. */
    private String lakeWithTwoBrokenOperations() {
        String lake = lakeWithBronze();
        BronzeFixtures.write(kit.spark().sparkContext().hadoopConfiguration(), lake, List.of(
                // op 5: EXECUTED, but the exchange's fill never made it into the event.
                event("op5-trig", 5, 10, "STOP_TRIGGERED", DAY1.plusSeconds(30)).setSourceCommitLsn(500L).setSourceLsn(501L).build(),
                event("op5-exec", 5, 10, "EXECUTED", DAY1.plusSeconds(31)).setSourceCommitLsn(510L).setSourceLsn(511L).build(),
                // op 6: submitted a minute before it triggered.
                event("op6-trig", 6, 20, "STOP_TRIGGERED", DAY2.plusSeconds(60)).setSourceCommitLsn(600L).setSourceLsn(601L).build(),
                event("op6-sub", 6, 20, "EXECUTION_SUBMITTED", DAY2).setSourceCommitLsn(610L).setSourceLsn(611L).build()));
        return lake;
    }

    @Test
    void rows_that_break_a_rule_go_to_the_quarantine_with_the_rules_name_and_not_to_silver() {
        String lake = lakeWithTwoBrokenOperations();
        Run run = runSilver(kit.env(), SparkLake.args(lake, "--quality-max-share", "0.5"));

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.summary()).containsEntry("rows_out", 4).containsEntry("quarantined", 2)
                .containsEntry("rule_executed_has_fill", 1).containsEntry("rule_times_in_order", 1);
        assertThat(silverByOperation(lake)).containsOnlyKeys(1L, 2L, 3L, 4L);
        Map<Long, Row> quarantine = kit.spark().read().parquet(lake + "/" + LakeLayout.SILVER_QUARANTINE).collectAsList()
                .stream().collect(Collectors.toMap(r -> r.<Long>getAs("operation_id"), r -> r));
        assertThat(quarantine).containsOnlyKeys(5L, 6L);
        assertThat(quarantine.get(5L).<String>getAs("broken_rules")).isEqualTo("executed_has_fill");
        assertThat(quarantine.get(5L).<String>getAs("status")).isEqualTo("EXECUTED");
        assertThat(quarantine.get(6L).<String>getAs("broken_rules")).isEqualTo("times_in_order");
        assertThat(kit.localDir(lake).resolve(LakeLayout.SILVER_QUARANTINE).resolve("date=2024-03-02")).isDirectory();

        // A full run again: the same quarantine, nothing added twice.
        assertThat(runSilver(kit.env(), SparkLake.args(lake, "--quality-max-share", "0.5", "--full")).exitCode()).isZero();
        assertThat(kit.spark().read().parquet(lake + "/" + LakeLayout.SILVER_QUARANTINE).count()).isEqualTo(2);

        // op 5's fill arrives later: an incremental run moves it from the quarantine to silver, as a full run would.
        BronzeFixtures.write(kit.spark().sparkContext().hadoopConfiguration(), lake, List.of(
                event("op5-fill", 5, 10, "EXECUTED", DAY1.plusSeconds(32)).setFillPrice(price("99.5")).setSlippagePct(pct("0.5"))
                        .setSourceCommitLsn(520L).setSourceLsn(521L).build()));
        Run fixed = runSilver(kit.env(), SparkLake.args(lake, "--quality-max-share", "0.5"));
        assertThat(fixed.summary()).containsEntry("mode", "incremental").containsEntry("quarantined", 1)
                .containsEntry("rule_times_in_order", 1);
        assertThat(silverByOperation(lake)).containsKey(5L);
        List<String> silverAfter = silverRowsAsText(lake);
        List<String> quarantineAfter = quarantineRowsAsText(lake);
        assertThat(quarantineAfter).hasSize(1);
        assertThat(runSilver(kit.env(), SparkLake.args(lake, "--quality-max-share", "0.5", "--full")).exitCode()).isZero();
        assertThat(silverRowsAsText(lake)).isEqualTo(silverAfter);
        assertThat(quarantineRowsAsText(lake)).isEqualTo(quarantineAfter);
    }

    @Test
    void a_rule_broken_by_more_than_the_threshold_fails_the_run_naming_it_and_writes_nothing() {
        String lake = lakeWithTwoBrokenOperations();
        Run run = runSilver(kit.env(), SparkLake.args(lake));
        assertThat(run.exitCode()).isEqualTo(1);
        // Two rules at 1 of 6 each; the first by name is reported.
        assertThat(run.stderr().strip()).startsWith("silver rule ").contains("is broken by 16.7% of operations (1 of 6), over the 1.0% threshold")
                .doesNotContain("\n");
        assertThat(kit.localDir(lake).resolve(LakeLayout.SILVER_STOP_EXECUTIONS)).doesNotExist();
        assertThat(kit.localDir(lake).resolve(LakeLayout.SILVER_QUARANTINE)).doesNotExist();
    }

    @Test
    void a_missing_endpoint_fails_with_a_one_line_message_and_exit_code_2() {
        Map<String, String> env = new HashMap<>(kit.env());
        env.remove("S3_ENDPOINT");
        Run run = runSilver(env, "--lake", "s3a://lake/anything");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr().strip()).isEqualTo("--s3-endpoint (S3_ENDPOINT) is required");
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void an_empty_bronze_is_refused_with_exit_code_1() {
        Run run = runSilver(kit.env(), SparkLake.args(kit.newLake("empty")));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr().strip()).startsWith("no committed bronze files (part-*.parquet) under s3a://lake/empty-");
    }

    @Test
    void help_lists_the_options_and_exits_0() {
        Run run = runSilver(Map.of(), "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).contains("--s3-endpoint", "S3_ENDPOINT", "--lake", "LAKE_URI", "--master", "SPARK_MASTER");
    }

    @Test
    void the_schemas_given_to_the_readers_are_the_ones_spark_infers_from_the_files() {
        String lake = lakeWithBronze();
        assertThat(runSilver(kit.env(), SparkLake.args(lake)).exitCode()).isZero();
        var spark = kit.spark();
        String bronzeUri = lake + "/" + LakeLayout.BRONZE_EVENTS;
        assertThat(columnTypes(SilverJob.readBronze(spark, bronzeUri)))
                .isEqualTo(columnTypes(spark.read().option("basePath", bronzeUri).parquet(LakeLayout.partGlob(bronzeUri, 1))));
        // Silver's too, but for client_id: inferred from its folder name it would be an int; silver writes a long.
        String silverUri = lake + "/" + LakeLayout.SILVER_STOP_EXECUTIONS;
        Map<String, String> inferred = columnTypes(spark.read().parquet(silverUri));
        assertThat(inferred).containsEntry("client_id", "int");
        inferred.put("client_id", "bigint");
        assertThat(columnTypes(SilverJob.readSilverShaped(spark, SilverJob.SILVER_ROW, silverUri))).isEqualTo(inferred);
    }

    @Test
    void the_index_of_touched_operations_reaches_the_scan_with_its_id_range() {
        String lake = lakeWithBronze();
        assertThat(runSilver(kit.env(), SparkLake.args(lake)).exitCode()).isZero();
        var spark = kit.spark();
        var silver = SilverJob.readSilverShaped(spark, SilverJob.SILVER_ROW, lake + "/" + LakeLayout.SILVER_STOP_EXECUTIONS);
        var touched = spark.range(2, 3).toDF("operation_id");
        var index = IncrementalSilver.touchedRows(silver, org.apache.spark.sql.functions.col("operation_id").between(2L, 3L), touched);
        assertThat(index.queryExecution().executedPlan().toString())
                .as("Parquet skips row groups outside the range only if the filter is pushed to the scan")
                .contains("PushedFilters: [IsNotNull(operation_id), GreaterThanOrEqual(operation_id,2), LessThanOrEqual(operation_id,3)");
        assertThat(index.collectAsList()).extracting(r -> r.<Long>getAs("operation_id")).containsExactly(2L);
        assertThat(index.collectAsList().get(0).<String>getAs("file")).contains("/client_id=10/date=2024-03-01/part-");
    }

    /** Column name → Spark type, in no order (a reader given a schema puts the partition columns last). */
    private static Map<String, String> columnTypes(org.apache.spark.sql.Dataset<Row> rows) {
        Map<String, String> types = new java.util.TreeMap<>();
        for (var field : rows.schema().fields()) {
            types.put(field.name(), field.dataType().simpleString());
        }
        return types;
    }

    private List<String> silverRowsAsText(String lake) {
        return kit.spark().read().parquet(lake + "/" + LakeLayout.SILVER_STOP_EXECUTIONS)
                .orderBy("operation_id").collectAsList().stream().map(Row::toString).toList();
    }

    private List<String> quarantineRowsAsText(String lake) {
        return kit.spark().read().parquet(lake + "/" + LakeLayout.SILVER_QUARANTINE)
                .orderBy("operation_id").collectAsList().stream().map(Row::toString).toList();
    }

    private List<String> silverFiles(String lake) throws Exception {
        try (Stream<Path> files = Files.walk(kit.localDir(lake).resolve(LakeLayout.SILVER_STOP_EXECUTIONS))) {
            return files.filter(p -> LakeLayout.isCommittedPart(p.getFileName().toString()))
                    .map(p -> p + "@" + p.toFile().lastModified()).sorted().toList();
        }
    }

    private static List<String> partFilesIn(Path partition) throws Exception {
        try (Stream<Path> files = Files.list(partition)) {
            return files.map(p -> p.getFileName().toString()).filter(LakeLayout::isCommittedPart).sorted().toList();
        }
    }

    private long partFiles(String lake) throws Exception {
        try (Stream<Path> files = Files.walk(kit.localDir(lake).resolve(LakeLayout.SILVER_STOP_EXECUTIONS))) {
            return files.filter(p -> LakeLayout.isCommittedPart(p.getFileName().toString())).count();
        }
    }
}
