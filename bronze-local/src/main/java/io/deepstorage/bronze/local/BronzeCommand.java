package io.deepstorage.bronze.local;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import sun.misc.Signal;

import io.deepstorage.bronze.BronzeJob;
import io.deepstorage.bronze.BronzeSettings;
import io.deepstorage.bronze.InProcessFlink;
import io.deepstorage.bronze.OutboxPreconditions;
import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.JobReport;
import io.deepstorage.cli.LakeEndpoint;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.cli.SettingException;

/**
 * {@code ./deep-storage bronze}: the streaming bronze job on a local Flink MiniCluster, with the FlinkDeployment's
 * options and environment. It prints {@code CAUGHT_UP {json}} once it has caught up with the outbox, runs until
 * stopped (SIGTERM or Ctrl-C stops it with a savepoint) and prints {@code SUMMARY {json}} with the final counts.
 * {@code --rounds N} makes it a scripted run (the local pipeline, the bench): catch up N times, waiting for a line
 * on stdin between rounds, then stop with a savepoint. Exit codes: 0 done, 1 refused or failed, 2 bad setting.
 */
public final class BronzeCommand {
    static final List<OptionSpec> OPTIONS = Stream.concat(BronzeSettings.OPTIONS.stream(), Stream.of(
            OptionSpec.value("resume", "BRONZE_RESUME", null, "latest (the newest retained checkpoint or savepoint, as"
                    + " the operator restores after losing the JobManager or an upgrade) or a checkpoint/savepoint path"),
            OptionSpec.value("rounds", null, "0", "0: run until stopped; N: catch up N times (printing CAUGHT_UP and"
                    + " waiting for a line on stdin between), then stop with a savepoint"),
            OptionSpec.value("timeout", null, "10m", "how long one catching up may take"))).toList();

    private BronzeCommand() {}

    public static void main(String[] args) throws Exception {
        if (CommandLine.wantsHelp(args)) {
            System.out.println(CommandLine.helpText("./deep-storage bronze",
                    "The bronze job (stop_events outbox → bronze Parquet) on a local Flink MiniCluster until stopped.", OPTIONS));
            return;
        }
        BronzeSettings settings;
        Optional<String> resume;
        int rounds;
        Duration timeout;
        try {
            CommandLine cli = CommandLine.parse(args, System.getenv(), OPTIONS);
            settings = BronzeSettings.from(cli);
            InProcessFlink.requireEndpoint(cli, settings.lakeEndpoint());
            rounds = cli.integer("rounds", 0, 1000);
            timeout = cli.duration("timeout");
            resume = cli.get("resume");
        } catch (SettingException e) {
            System.err.println("bronze: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<String> problems = OutboxPreconditions.problems(settings);
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("bronze: " + p));
            System.exit(1);
            return;
        }
        Configuration flinkConf = InProcessFlink.configuration(settings.lakeEndpoint());
        if (resume.isPresent() && resume.get().equals("latest")) {
            resume = BronzeLocalRun.latestRetainedState(settings);
            if (resume.isEmpty()) {
                // As the operator does with no checkpoint yet: start from the job's spec (the slot keeps its position).
                System.out.println("bronze: --resume latest: no retained checkpoint under " + settings.checkpointDir
                        + " and no savepoint under " + settings.savepointDir + "; starting fresh");
            }
        }
        resume.ifPresent(path -> System.out.println("bronze: resuming from " + path));
        int exit;
        try {
            exit = run(settings, flinkConf, resume, rounds, timeout);
        } catch (Exception e) {
            System.err.println("bronze: " + e.getMessage());
            exit = 1;
        }
        System.out.flush();
        // The MiniCluster leaves non-daemon threads behind.
        Runtime.getRuntime().halt(exit);
    }

    private static int run(BronzeSettings settings, Configuration flinkConf, Optional<String> resume, int rounds,
                           Duration timeout) throws Exception {
        BronzeLocalRun run = BronzeLocalRun.start(settings, flinkConf, resume);
        try {
            if (rounds == 0) {
                return untilStopped(run, timeout);
            }
            var stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (int round = 1; round <= rounds; round++) {
                JobReport caughtUp = run.awaitCaughtUp(timeout);
                if (round == rounds) {
                    break;
                }
                print(caughtUp);
                if (stdin.readLine() == null) {
                    break;
                }
            }
            print(run.stopWithSavepoint());
            return 0;
        } finally {
            run.close();
        }
    }

    /** Reports catching up once, then runs until a signal stops it with a savepoint, or the job fails. */
    private static int untilStopped(BronzeLocalRun run, Duration timeout) throws Exception {
        // Signals are caught instead of shutting the JVM down: Flink's own shutdown hooks would tear the MiniCluster
        // down while the savepoint is being taken.
        CountDownLatch stopped = new CountDownLatch(1);
        for (String signal : List.of("TERM", "INT")) {
            Signal.handle(new Signal(signal), s -> stopped.countDown());
        }
        print(run.awaitCaughtUp(timeout));
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            if (run.job().getJobStatus().get().isGloballyTerminalState()) {
                System.err.println("bronze: the job ended: " + run.job().getJobStatus().get());
                return 1;
            }
        }
        System.out.println("bronze: stopping with a savepoint");
        print(run.stopWithSavepoint());
        return 0;
    }

    private static void print(JobReport report) {
        System.out.println(report.line());
        System.out.flush();
    }
}
