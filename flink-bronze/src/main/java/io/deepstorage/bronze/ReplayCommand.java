package io.deepstorage.bronze;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.JobReport;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;
import io.deepstorage.schemas.LakeLayout;

/**
 * {@code ./deep-storage replay --from <beginning | ISO instant | event_seq:N> [--to …]}: re-ingests outbox rows
 * into bronze on a local Flink MiniCluster while the streaming job keeps running, and prints {@code SUMMARY {json}}
 * (rows read, written, dead letters, files, seconds). {@code --resume} continues a replay that was stopped half-way
 * from its last checkpoint. Exit codes: 0 done, 1 failed, 2 bad setting.
 */
public final class ReplayCommand {
    public static final List<OptionSpec> OPTIONS = Stream.concat(ReplaySettings.OPTIONS.stream(), Stream.of(
            OptionSpec.value("resume", "REPLAY_RESUME", null,
                    "a checkpoint of a replay stopped half-way (its chk-N folder), to continue it"))).toList();

    private ReplayCommand() {}

    public static void main(String[] args) {
        if (CommandLine.wantsHelp(args)) {
            System.out.println(CommandLine.helpText("./deep-storage replay",
                    "Re-ingests outbox rows (read from the table itself) into bronze beside the streaming job.", OPTIONS));
            return;
        }
        ReplaySettings settings;
        Optional<String> resume;
        try {
            CommandLine cli = CommandLine.parse(args, System.getenv(), OPTIONS);
            settings = ReplaySettings.from(cli);
            InProcessFlink.requireEndpoint(cli, settings.lakeEndpoint());
            resume = cli.get("resume");
        } catch (SettingException e) {
            System.err.println("replay: " + e.getMessage());
            System.exit(2);
            return;
        }
        int exit;
        try {
            System.out.println(run(settings, InProcessFlink.configuration(settings.lakeEndpoint()), resume).line());
            exit = 0;
        } catch (Exception e) {
            System.err.println("replay: " + e.getMessage());
            exit = 1;
        }
        System.out.flush();
        Runtime.getRuntime().halt(exit); // the MiniCluster leaves non-daemon threads behind
    }

    /** Runs the replay to its end and reports what it committed. */
    public static JobReport run(ReplaySettings settings, Configuration flinkConf, Optional<String> resume) throws Exception {
        JobReport.Builder report = JobReport.start("replay");
        JobClient job = OutboxReplay.fromSettings(settings).executeAsync(InProcessFlink.environment(flinkConf, resume));
        JobExecutionResult result = job.getJobExecutionResult().get(6, TimeUnit.HOURS);
        Map<String, Object> acc = result.getAllAccumulatorResults();
        long deadLetters = acc.get(RouteOutboxChanges.DEAD_LETTER_COUNT) instanceof Number n ? n.longValue() : 0;
        String prefix = OutboxReplay.partPrefix(settings);
        long files = 0;
        long rows = 0;
        CommittedParts bronze = new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_EVENTS);
        for (LakeLayout.Entry f : bronze.files()) {
            if (f.name().startsWith(prefix)) {
                files++;
                rows += bronze.eventIds(f).size();
            }
        }
        for (LakeLayout.Entry f : new CommittedParts(settings.lakeUri() + "/" + LakeLayout.BRONZE_DEAD_LETTERS).files()) {
            if (f.name().startsWith(prefix)) {
                files++;
            }
        }
        return report.put(JobReport.ROWS_IN, rows + deadLetters)
                .put(JobReport.ROWS_OUT, rows)
                .put(JobReport.DEAD_LETTERS, deadLetters)
                .put(JobReport.FILES_WRITTEN, files)
                .put("run_id", settings.runId)
                // The job alone (submitted → finished, last files committed), without the counting above.
                .put("job_seconds", result.getNetRuntime() / 1000.0)
                .summary();
    }
}
