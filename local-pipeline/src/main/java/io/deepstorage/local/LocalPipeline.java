package io.deepstorage.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.deepstorage.cli.Database;
import io.deepstorage.cli.JobReport;
import io.deepstorage.embedded.EmbeddedPostgres;
import io.deepstorage.embedded.EmbeddedS3;
import io.deepstorage.embedded.OutboxSchema;
import io.deepstorage.embedded.OutboxTrafficGenerator;

/**
 * The whole pipeline on one machine: an outbox in PostgreSQL, the bronze job until it has caught up, then silver,
 * then gold, each job in its own JVM as in production; prints what each step did. PostgreSQL and S3 are embedded
 * by default and can be swapped for real ones by configuration.
 */
public final class LocalPipeline implements AutoCloseable {
    /** The outcome of a run. */
    public record Report(OutboxTrafficGenerator.Result snapshotTraffic, OutboxTrafficGenerator.Result liveTraffic,
                         Map<String, JobReport> jobs, String s3Endpoint, String bucket, Path lakeDir) {}

    private final LocalPipelineOptions options;
    private final Path home;
    private EmbeddedPostgres postgres;
    private EmbeddedS3 s3;

    public LocalPipeline(LocalPipelineOptions options, Path home) {
        this.options = options;
        this.home = home;
    }

    public Report run() throws Exception {
        Instant started = Instant.now();
        startServers();
        say("outbox   %s", jdbcUrl());
        say("lake     %s (bucket %s)%s", s3Endpoint(), bucket(), s3 != null ? " → folder " + s3.bucketDir() : "");

        OutboxTrafficGenerator.Result before = null;
        OutboxTrafficGenerator.Result live = null;
        int snapshotEvents = (int) Math.round(options.events() * 0.7);
        if (options.load()) {
            before = generate(OutboxTrafficGenerator.Options.defaults(snapshotEvents)
                    .withSeed(options.seed()).withLateCommits(0).withRedeliveries(0));
            say("loaded   %,d outbox events (%,d operations) before bronze starts", before.events(), before.operations());
        }

        Map<String, JobReport> jobs = new LinkedHashMap<>();
        Path logs = options.logDir();
        try (JobProcess bronze = JobProcess.start("bronze", home, JobCommand.BRONZE, List.of(), bronzeArgs(), bronzeEnv(), logs)) {
            JobReport first = bronze.awaitReport(options.timeoutSeconds());
            if (options.load() && first.kind() == JobReport.Kind.CAUGHT_UP) {
                say("bronze   caught up with the snapshot; writing live traffic through the replication stream");
                live = generate(OutboxTrafficGenerator.Options.defaults(options.events() - snapshotEvents)
                        .withSeed(options.seed() + 1).withFirstOperationId(1_000_000)
                        .withStart(Instant.parse("2026-11-21T20:00:00Z"))
                        .withRedeliveries(3).withLateCommits(2).withMalformed(3));
                say("loaded   %,d more outbox events (%d re-delivered, %d committed late, %d malformed)",
                        live.events(), live.redelivered(), live.lateCommits(), live.malformed());
                bronze.proceed();
                first = bronze.awaitReport(options.timeoutSeconds());
            }
            jobs.put("bronze", summary(first, bronze));
            int exit = bronze.awaitExit(120);
            if (exit != 0) {
                throw new IllegalStateException("bronze exited " + exit + "; see " + bronze.log());
            }
        }
        say("bronze   done");

        jobs.put("silver", runSparkJob("silver", JobCommand.SILVER, List.of()));
        say("silver   done");
        jobs.put("gold", runSparkJob("gold", JobCommand.GOLD, goldArgs()));
        say("gold     done");

        Report report = new Report(before, live, jobs, s3Endpoint(), bucket(), s3 != null ? s3.bucketDir() : null);
        System.out.println();
        System.out.println(PipelineReport.table(report, java.time.Duration.between(started, Instant.now())));
        return report;
    }

    /** Runs the silver job once more over the same bronze (it must change nothing). */
    JobReport runSilverAgain() throws Exception {
        return runSparkJob("silver-rerun", JobCommand.SILVER, List.of());
    }

    /** Runs the gold job once more, as the pipeline ran it. */
    JobReport runGoldAgain() throws Exception {
        return runSparkJob("gold-rerun", JobCommand.GOLD, goldArgs());
    }

    /** Re-ingests outbox rows into bronze with {@code ./deep-storage replay} ({@code args}: e.g. --from). */
    JobReport replay(List<String> replayArgs) throws Exception {
        var pg = pgParts();
        List<String> args = new ArrayList<>(List.of("--pg-host", pg.get("host"), "--pg-port", pg.get("port"),
                "--pg-database", pg.get("database"), "--pg-user", options.pgUser(), "--bucket", bucket(),
                "--s3-endpoint", s3Endpoint(), "--checkpoint-interval", options.checkpointInterval()));
        args.addAll(replayArgs);
        try (JobProcess job = JobProcess.start("replay", home, JobCommand.REPLAY, List.of(), args, bronzeEnv(), options.logDir())) {
            JobReport summary = summary(job.awaitReport(options.timeoutSeconds()), job);
            int exit = job.awaitExit(120);
            if (exit != 0) {
                throw new IllegalStateException("replay exited " + exit + "; see " + job.log());
            }
            return summary;
        }
    }

    private List<String> goldArgs() {
        List<String> goldArgs = new ArrayList<>();
        if (options.goldAsOf() != null) {
            goldArgs.add("--as-of");
            goldArgs.add(options.goldAsOf());
        }
        goldArgs.add("--overwrite");
        return goldArgs;
    }

    private JobReport runSparkJob(String name, JobCommand command, List<String> extraArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("--s3-endpoint", s3Endpoint(), "--bucket", bucket(), "--master", "local[2]"));
        args.addAll(extraArgs);
        try (JobProcess job = JobProcess.start(name, home, command, List.of(), args, s3Env(), options.logDir())) {
            JobReport summary = summary(job.awaitReport(options.timeoutSeconds()), job);
            int exit = job.awaitExit(120);
            if (exit != 0) {
                throw new IllegalStateException(name + " exited " + exit + "; see " + job.log());
            }
            return summary;
        }
    }

    private static JobReport summary(JobReport report, JobProcess job) {
        if (report.kind() != JobReport.Kind.SUMMARY) {
            throw new IllegalStateException("expected a summary from " + job.log() + ", got " + report.line());
        }
        return report;
    }

    private List<String> bronzeArgs() {
        var pg = pgParts();
        return List.of("--pg-host", pg.get("host"), "--pg-port", pg.get("port"), "--pg-database", pg.get("database"),
                "--pg-user", options.pgUser(), "--bucket", bucket(), "--s3-endpoint", s3Endpoint(),
                "--checkpoint-interval", options.checkpointInterval(), "--heartbeat-interval", "1s",
                "--slot-name", options.slotName(), "--parallelism", "2",
                "--rounds", options.load() ? "2" : "1", "--timeout", options.timeoutSeconds() + "s");
    }

    private Map<String, String> bronzeEnv() {
        Map<String, String> env = new HashMap<>(s3Env());
        if (options.pgPassword() != null) {
            env.put("PG_PASSWORD", options.pgPassword());
        }
        return env;
    }

    private Map<String, String> s3Env() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ACCESS_KEY_ID", s3 != null ? s3.accessKey() : options.s3AccessKey());
        env.put("AWS_SECRET_ACCESS_KEY", s3 != null ? s3.secretKey() : options.s3SecretKey());
        return env;
    }

    private void startServers() throws Exception {
        if (options.postgresUrl() == null) {
            postgres = EmbeddedPostgres.start("outbox");
        }
        try (Connection c = connect()) {
            OutboxSchema.create(c);
        }
        if (options.s3Endpoint() == null) {
            Files.createDirectories(options.lakeDir());
            s3 = EmbeddedS3.start(options.lakeDir(), options.bucket());
        }
    }

    private OutboxTrafficGenerator.Result generate(OutboxTrafficGenerator.Options o) throws SQLException {
        Supplier<Connection> connections = () -> {
            try {
                return connect();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
        return new OutboxTrafficGenerator(connections, o).run();
    }

    private Connection connect() throws SQLException {
        return new Database(jdbcUrl(), options.pgUser(), options.pgPassword()).connect();
    }

    String jdbcUrl() {
        return postgres != null ? postgres.jdbcUrl() : options.postgresUrl();
    }

    private Map<String, String> pgParts() {
        var m = java.util.regex.Pattern.compile("jdbc:postgresql://([^:/]+)(?::(\\d+))?/([^?]+).*").matcher(jdbcUrl());
        if (!m.matches()) {
            throw new io.deepstorage.cli.SettingException("--postgres-url must look like jdbc:postgresql://host:port/database, got " + jdbcUrl());
        }
        return Map.of("host", m.group(1), "port", m.group(2) == null ? "5432" : m.group(2), "database", m.group(3));
    }

    String s3Endpoint() {
        return s3 != null ? s3.endpoint() : options.s3Endpoint();
    }

    String bucket() {
        return options.bucket();
    }

    private static void say(String format, Object... args) {
        System.out.printf(format + "%n", args);
    }

    @Override
    public void close() {
        if (s3 != null) {
            s3.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    public static void main(String[] args) throws Exception {
        if (io.deepstorage.cli.CommandLine.wantsHelp(args)) {
            System.out.println(LocalPipelineOptions.help());
            return;
        }
        LocalPipelineOptions options;
        try {
            options = LocalPipelineOptions.parse(args, System.getenv());
        } catch (io.deepstorage.cli.SettingException e) {
            System.err.println("local-pipeline: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path home = Path.of(System.getProperty("deepstorage.home", ".")).toAbsolutePath().normalize();
        try (LocalPipeline pipeline = new LocalPipeline(options, home)) {
            pipeline.run();
        } catch (Exception e) {
            System.err.println("local-pipeline: " + e.getMessage());
            System.exit(1);
        }
    }
}
