package io.deepstorage.silver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.deepstorage.cli.JobReport;
import io.deepstorage.spark.LakeFiles;
import io.deepstorage.spark.testkit.SharedSparkLake;
import io.deepstorage.spark.testkit.SparkLake;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Retention on a lake through s3a: exactly the partitions past their age go, gold never, a lake it cannot read stays. */
@ExtendWith(SharedSparkLake.class)
class RetentionJobIT {
    private static final String AS_OF = "2026-12-01";
    private final SparkLake kit;

    RetentionJobIT(SparkLake kit) {
        this.kit = kit;
    }

    /** Bronze 91 and 90 days old, silver 366 and 365 days old, an old quarantine date, an old gold version. */
    private String lake() {
        String lake = kit.newLake("retention");
        LakeFiles files = new LakeFiles(kit.spark().sparkContext().hadoopConfiguration());
        for (String object : List.of(
                "bronze/events/date=2026-09-01/part-a.parquet",       // 91 days before 2026-12-01: goes
                "bronze/events/date=2026-09-02/part-b.parquet",       // 90 days: stays
                "bronze/events/date=2026-11-30/part-c.parquet",
                "bronze/events/date=2026-11-30/.part-d.parquet.inprogress",
                "bronze/_dlq/date=2026-06-01/part-e.parquet",         // goes
                "silver/stop_executions/_SUCCESS",
                "silver/stop_executions/client_id=1/date=2025-11-30/part-f.parquet", // 366 days: goes
                "silver/stop_executions/client_id=1/date=2025-12-01/part-g.parquet", // 365 days: stays
                "silver/stop_executions/client_id=2/date=2024-01-01/part-h.parquet", // goes
                "silver/_quarantine/stop_executions/date=2025-01-01/part-i.parquet", // goes
                "gold/training_sets/stop_outcome/v1.0.0/train/part-j.parquet",
                "gold/training_sets/stop_outcome/v1.0.0/_manifest.json")) {
            files.writeText(lake + "/" + object, "x".repeat(10));
        }
        return lake;
    }

    private record Run(int exitCode, String stdout, String stderr) {
        Map<String, Object> summary() {
            return stdout.lines().map(JobReport::parse).flatMap(Optional::stream).reduce((a, b) -> b).orElseThrow().values();
        }
    }

    private Run retention(String lake, String... more) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RetentionJob.run(SparkLake.args(lake, more), kit.env(), new PrintStream(out, true), new PrintStream(err, true));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private List<String> objects(String lake) throws Exception {
        Path root = kit.localDir(lake);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString())
                    .filter(p -> !p.contains("/.") || p.contains(".inprogress")).sorted().toList();
        }
    }

    @Test
    void aDryRunListsThePartitionsPastTheirAgeWithSizesAndDeletesNothing() throws Exception {
        String lake = lake();
        List<String> before = objects(lake);
        Run run = retention(lake, "--as-of", AS_OF, "--dry-run");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.summary()).containsEntry("dry_run", true).containsEntry("bronze_partitions", 2)
                .containsEntry("silver_partitions", 3).containsEntry("partitions_kept", 3).containsEntry("rows_out", 0)
                .containsEntry("bytes", 50);
        assertThat(run.stdout()).contains("retention: would delete bronze/events/date=2026-09-01 (10 bytes)")
                .contains("retention: would delete silver/stop_executions/client_id=1/date=2025-11-30 (10 bytes)")
                .doesNotContain("date=2026-09-02").doesNotContain("gold/");
        assertThat(objects(lake)).isEqualTo(before);
    }

    @Test
    void retentionDeletesExactlyThePartitionsPastTheirAgeAndNeverGold() throws Exception {
        String lake = lake();
        Run run = retention(lake, "--as-of", AS_OF);

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.summary()).containsEntry("dry_run", false).containsEntry("rows_out", 5);
        assertThat(objects(lake)).containsExactlyInAnyOrder(
                "bronze/events/date=2026-09-02/part-b.parquet",
                "bronze/events/date=2026-11-30/part-c.parquet",
                "bronze/events/date=2026-11-30/.part-d.parquet.inprogress",
                "silver/stop_executions/_SUCCESS",
                "silver/stop_executions/client_id=1/date=2025-12-01/part-g.parquet",
                "gold/training_sets/stop_outcome/v1.0.0/train/part-j.parquet",
                "gold/training_sets/stop_outcome/v1.0.0/_manifest.json");

        Run again = retention(lake, "--as-of", AS_OF);
        assertThat(again.exitCode()).as(again.stderr()).isZero();
        assertThat(again.summary()).as("nothing left to delete").containsEntry("rows_out", 0).containsEntry("partitions_kept", 3);
    }

    @Test
    void aLakeItCannotReadCompletelyIsRefusedAndNothingIsDeleted() throws Exception {
        String lake = lake();
        new LakeFiles(kit.spark().sparkContext().hadoopConfiguration())
                .writeText(lake + "/silver/stop_executions/client_id=3/notes.txt", "someone's file");
        List<String> before = objects(lake);
        Run run = retention(lake, "--as-of", AS_OF);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr().strip()).startsWith("retention: cannot list ").contains("silver/stop_executions completely")
                .contains("unexpected object client_id=3/notes.txt").endsWith("nothing deleted");
        assertThat(objects(lake)).isEqualTo(before);
    }

    @Test
    void aBadAsOfIsABadSettingNamingIt() {
        Run run = retention(kit.newLake("retention-bad"), "--as-of", "yesterday");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr().strip()).isEqualTo("--as-of (RETENTION_AS_OF) must be a date YYYY-MM-DD, got 'yesterday'");
    }
}
