package io.deepstorage.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.deepstorage.cli.JobReport;
import io.deepstorage.spark.testkit.SharedSparkLake;
import io.deepstorage.spark.testkit.SparkLake;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSparkLake.class)
class JobLauncherIT {
    private final SparkLake kit;

    JobLauncherIT(SparkLake kit) {
        this.kit = kit;
    }

    private record Run(int exitCode, String stdout, String stderr) {}

    private Run launch(Map<String, String> env, JobLauncher.JobBody<Void> body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = JobLauncher.launch("probe", "a test job", SparkLake.args(kit.newLake("launch")), env, List.of(),
                cli -> null, body, new PrintStream(out, true), new PrintStream(err, true));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void a_finished_job_prints_the_report_its_body_returned_as_one_summary_line() {
        Run run = launch(kit.env(), (none, lake, spark) -> JobReport.start("probe").put(JobReport.ROWS_IN, 12L).put("partitions", 2));

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout().lines().toList()).singleElement().asString().startsWith("SUMMARY {");
        assertThat(JobReport.parse(run.stdout().strip()).orElseThrow().values())
                .containsEntry("job", "probe").containsEntry("rows_in", 12).containsEntry("partitions", 2).containsKey("seconds");
        assertThat(run.stderr()).isEmpty();
    }

    @Test
    void a_job_that_refuses_exits_1_with_its_one_line_reason_and_no_summary() {
        Run run = launch(kit.env(), (none, lake, spark) -> {
            throw new JobFailedException("nothing to do\nat all");
        });
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).isEqualTo("nothing to do at all" + System.lineSeparator());
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void a_bad_setting_exits_2_before_the_job_body_runs() {
        Map<String, String> env = new HashMap<>(kit.env());
        env.put("S3_PATH_STYLE", "perhaps");
        AtomicBoolean ran = new AtomicBoolean();
        Run run = launch(env, (none, lake, spark) -> {
            ran.set(true);
            return JobReport.start("probe");
        });
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr().strip()).isEqualTo("--path-style (S3_PATH_STYLE) must be true or false, got 'perhaps'");
        assertThat(ran).isFalse();
        assertThat(run.stdout()).isEmpty();
    }
}
