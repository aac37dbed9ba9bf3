package io.deepstorage.silver;

import java.io.PrintStream;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.deepstorage.cli.CommandLine;
import io.deepstorage.cli.JobReport;
import io.deepstorage.cli.OptionSpec;
import io.deepstorage.spark.JobFailedException;
import io.deepstorage.spark.JobLauncher;
import io.deepstorage.spark.LakeConfig;
import io.deepstorage.spark.LakeFiles;
import org.apache.spark.sql.SparkSession;

/**
 * {@code ./deep-storage retention [--dry-run]}: deletes the bronze and silver date partitions past their age
 * ({@link RetentionPolicy}), never gold. Everything is listed first, strictly: an unexpected object or a partition
 * without a readable date refuses the run (exit 1) before anything is deleted. {@code --dry-run} lists what would
 * go, with sizes, and deletes nothing.
 */
public final class RetentionJob {
    public static final String NAME = "retention";

    public static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value("bronze-days", "RETENTION_BRONZE_DAYS", "90", "bronze partitions older than this many days go"),
            OptionSpec.value("silver-days", "RETENTION_SILVER_DAYS", "365", "silver partitions older than this many days go"),
            OptionSpec.value("as-of", "RETENTION_AS_OF", null, "the UTC date ages are counted from, YYYY-MM-DD (default: today)"),
            OptionSpec.flag("dry-run", "RETENTION_DRY_RUN", "list what would be deleted, with sizes, and delete nothing"));

    /** The job's own settings. */
    public record Config(RetentionPolicy policy, LocalDate asOf, boolean dryRun) {}

    /** One partition past its age. */
    record Expired(RetentionPolicy.Table table, String partition, long bytes) {
        String path() {
            return table.path() + "/" + partition;
        }
    }

    private RetentionJob() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return JobLauncher.launch(NAME, "Deletes bronze and silver date partitions past their age (never gold).",
                args, env, OPTIONS, RetentionJob::config, (config, lake, spark) -> build(config, lake, spark, out), out, err);
    }

    static Config config(CommandLine cli) {
        int bronze = cli.integer("bronze-days", 1, 100_000);
        int silver = cli.integer("silver-days", 1, 100_000);
        LocalDate asOf = cli.get("as-of").map(text -> {
            try {
                return LocalDate.parse(text);
            } catch (DateTimeParseException e) {
                throw cli.bad("as-of", "must be a date YYYY-MM-DD, got '" + text + "'");
            }
        }).orElse(LocalDate.now(ZoneOffset.UTC));
        return new Config(new RetentionPolicy(bronze, silver), asOf, cli.bool("dry-run"));
    }

    static JobReport.Builder build(Config config, LakeConfig lake, SparkSession spark, PrintStream out) {
        LakeFiles files = new LakeFiles(spark.sparkContext().hadoopConfiguration());
        List<Expired> expired = new ArrayList<>();
        long kept = 0;
        // List everything first: a lake that cannot be listed completely deletes nothing.
        for (RetentionPolicy.Table table : RetentionPolicy.TABLES) {
            String uri = lake.resolve(table.path());
            List<String> partitions;
            try {
                partitions = files.partitionDirsStrictly(uri, table.depth());
            } catch (RuntimeException e) {
                throw new JobFailedException("retention: cannot list " + uri + " completely (" + e.getMessage()
                        + "); nothing deleted");
            }
            for (String partition : partitions) {
                LocalDate date;
                try {
                    date = RetentionPolicy.dateOf(partition);
                } catch (IllegalArgumentException e) {
                    throw new JobFailedException("retention: " + e.getMessage() + " under " + uri + "; nothing deleted");
                }
                if (config.policy().expired(table, date, config.asOf())) {
                    expired.add(new Expired(table, partition, files.sizeOf(uri + "/" + partition)));
                } else {
                    kept++;
                }
            }
        }
        long bytes = 0;
        for (Expired e : expired) {
            out.printf(Locale.ROOT, "retention: %s %s (%,d bytes)%n", config.dryRun() ? "would delete" : "deleting", e.path(), e.bytes());
            if (!config.dryRun()) {
                files.delete(lake.resolve(e.path()));
            }
            bytes += e.bytes();
        }
        return JobReport.start(NAME)
                .put("dry_run", config.dryRun())
                .put("as_of", config.asOf().toString())
                .put("bronze_partitions", expired.stream().filter(e -> e.table().bronze()).count())
                .put("silver_partitions", expired.stream().filter(e -> !e.table().bronze()).count())
                .put("partitions_kept", kept)
                .put("bytes", bytes)
                .put(JobReport.ROWS_IN, (long) expired.size() + kept)
                .put(JobReport.ROWS_OUT, config.dryRun() ? 0L : (long) expired.size())
                .put(JobReport.FILES_WRITTEN, 0L);
    }
}
