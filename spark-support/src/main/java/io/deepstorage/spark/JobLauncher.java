package io.deepstorage.spark;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.JobReport;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.spark.sql.SparkSession;

/**
 * The shape every job main shares: options → validated config → Spark → job body → one SUMMARY line
 * ({@link JobReport}, measured when the body returns).
 * Exit codes: 0 done, 1 the job refused ({@link JobFailedException}), 2 a bad setting ({@link SettingException}).
 */
public final class JobLauncher {
    private JobLauncher() {}

    @FunctionalInterface
    public interface JobBody<C> {
        /** Does the job's work and returns its report so far; the launcher prints it as the SUMMARY line. */
        JobReport.Builder run(C jobConfig, LakeConfig lake, SparkSession spark);
    }

    public static <C> int launch(String jobName, String summaryText, String[] args, Map<String, String> env,
                                 List<OptionSpec> jobOptions, Function<CommandLine, C> configure, JobBody<C> body,
                                 PrintStream out, PrintStream err) {
        return launch(jobName, summaryText, args, env, jobOptions, configure, body, Map.of(), out, err);
    }

    /** {@link #launch} with the job's own Spark tuning ({@link LakeSpark#jobSettings}). */
    public static <C> int launch(String jobName, String summaryText, String[] args, Map<String, String> env,
                                 List<OptionSpec> jobOptions, Function<CommandLine, C> configure, JobBody<C> body,
                                 Map<String, String> sparkTuning, PrintStream out, PrintStream err) {
        List<OptionSpec> options = new ArrayList<>(LakeConfig.OPTIONS);
        options.addAll(jobOptions);
        if (CommandLine.wantsHelp(args)) {
            out.println(CommandLine.helpText("./deep-storage " + jobName, summaryText, options));
            return 0;
        }
        LakeConfig lake;
        C jobConfig;
        try {
            CommandLine cli = CommandLine.parse(args, env, options);
            lake = LakeConfig.from(cli);
            jobConfig = configure.apply(cli);
        } catch (SettingException e) {
            err.println(e.getMessage());
            return 2;
        }
        // A session that already exists (tests, notebooks) belongs to its creator and is left running.
        boolean ownsSession = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = LakeSpark.session(lake, jobName, sparkTuning);
        try {
            out.println(body.run(jobConfig, lake, spark).summary().line());
            return 0;
        } catch (JobFailedException e) {
            err.println(e.getMessage());
            return 1;
        } finally {
            if (ownsSession) {
                spark.stop();
            }
        }
    }
}
