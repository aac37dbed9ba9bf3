package io.deepstorage.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.split;

import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import io.deepstorage.cli.JobReport;
import io.deepstorage.schemas.LakeLayout;
import io.deepstorage.schemas.Schemas;
import io.deepstorage.schemas.StopExecution;
import io.deepstorage.spark.AvroRows;
import io.deepstorage.spark.JobFailedException;
import io.deepstorage.spark.JobLauncher;
import io.deepstorage.spark.LakeConfig;
import io.deepstorage.spark.LakeFiles;
import io.deepstorage.spark.ParquetSink;
import io.deepstorage.spark.StepTimes;
import org.apache.spark.api.java.function.MapGroupsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * bronze/events → silver/stop_executions: one row per operation, folded from all its events in commit order
 * ({@link OperationFold}), checked against {@link SilverRules}, partitioned by client_id and date, written so that a
 * re-run changes nothing. A row that breaks a rule goes to silver/_quarantine/stop_executions/date=…/ with the
 * rules' names instead; when one rule is broken by more than the allowed share, the run fails and writes nothing.
 */
public final class SilverJob {
    public static final String NAME = "silver";
    static final List<String> PARTITION_COLUMNS = List.of("client_id", "date");
    /** Columns whose values are all distinct (event ids, one exchange order per operation): no Parquet dictionary. */
    static final List<String> PLAIN_COLUMNS = List.of("source_event_ids.list.element", "exchange_order_id");
    /** bronze/events/date=…/part-*.parquet */
    private static final int BRONZE_PARTITION_DEPTH = 1;
    /** StopExecution's columns, then the date partition (client_id is already one of them). */
    static final StructType SILVER_ROW = AvroRows.structOf(Schemas.stopExecution(),
            DataTypes.createStructField("date", DataTypes.DateType, false));
    /** A folded row with the rules it broke (comma-separated names; null when none). */
    static final StructType CHECKED_ROW = SILVER_ROW.add("broken_rules", DataTypes.StringType, true);
    /**
     * Bronze's columns as the contract declares them, given to the reader: Spark then runs no job to infer them from a
     * file's footer (one per read), and a part written by a wider (upgraded) schema reads the same as the others.
     */
    static final StructType BRONZE_ROW = AvroRows.structOf(Schemas.bronzeEvent());

    private SilverJob() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return JobLauncher.launch(NAME, "Folds bronze/events into silver/stop_executions (one row per operation).",
                args, env, SilverConfig.OPTIONS, SilverConfig::from, SilverJob::build, out, err);
    }

    static JobReport.Builder build(SilverConfig config, LakeConfig lake, SparkSession spark) {
        String bronzeUri = lake.resolve(LakeLayout.BRONZE_EVENTS);
        String silverUri = lake.resolve(LakeLayout.SILVER_STOP_EXECUTIONS);
        String quarantineUri = lake.resolve(LakeLayout.SILVER_QUARANTINE);
        String runsUri = lake.resolve(LakeLayout.SILVER_RUNS);
        LakeFiles files = new LakeFiles(spark.sparkContext().hadoopConfiguration());
        List<LakeLayout.Entry> bronzeParts = files.committedParts(bronzeUri);
        if (bronzeParts.isEmpty()) {
            throw new JobFailedException("no committed bronze files (part-*.parquet) under " + bronzeUri);
        }
        // Incremental unless asked for a full rebuild or silver was never built (no run record).
        // A record made by other code or settings, or one without silver behind it, calls for a full rebuild.
        String fingerprint = SilverRuns.fingerprint(config);
        Optional<Set<String>> folded = config.full() || !files.exists(silverUri) ? Optional.empty()
                : SilverRuns.latest(files, runsUri, fingerprint);
        JobReport.Builder summary;
        if (folded.isPresent()) {
            IncrementalSilver.Outcome outcome = IncrementalSilver.run(config, spark, files, bronzeUri, silverUri,
                    quarantineUri, bronzeParts, folded.get());
            summary = outcome.report();
            if (!outcome.changed()) {
                return summary; // nothing new: no work, nothing changed, the record stays as it is
            }
        } else {
            summary = fullRebuild(config, spark, files, bronzeUri, silverUri, quarantineUri);
        }
        SilverRuns.write(files, runsUri, folded.isPresent() ? "incremental" : "full", fingerprint, bronzeParts, Instant.now());
        return summary;
    }

    /** Every operation folded again from all of bronze; partitions no operation lives in any more are removed. */
    static JobReport.Builder fullRebuild(SilverConfig config, SparkSession spark, LakeFiles files, String bronzeUri,
                                        String silverUri, String quarantineUri) {
        JobReport.Builder summary = JobReport.start(NAME).put("mode", "full");
        StepTimes steps = new StepTimes();
        Dataset<Row> bronze = readBronze(spark, bronzeUri);
        // Bronze is read twice rather than cached: counted here (Parquet footers), folded below. Building Spark's
        // in-memory cache of every bronze column cost more than both reads.
        long rowsIn = bronze.count();
        steps.lap("count_bronze");
        Dataset<Row> checked = foldOperations(bronze, config.tolerances()).persist();
        try {
            FoldTotals totals = FoldTotals.of(checked);
            long distinctEvents = totals.distinctEvents();
            long operations = totals.operations();
            steps.lap("fold");
            Map<String, Long> brokenByRule = new TreeMap<>();
            if (totals.broken() > 0) {
                for (Row r : checked.filter(col("broken_rules").isNotNull())
                        .select(explode(split(col("broken_rules"), ",")).as("rule")).groupBy("rule").count().collectAsList()) {
                    brokenByRule.put(r.getString(0), r.getLong(1));
                }
            }
            SilverRules.check(brokenByRule, operations, config.maxRuleShare());
            steps.lap("rules");
            Dataset<Row> quarantined = checked.filter(col("broken_rules").isNotNull());
            ParquetSink.WriteResult written = new ParquetSink(spark).writePartitioned(
                    checked.filter(col("broken_rules").isNull()).drop("broken_rules"), silverUri, PARTITION_COLUMNS, PLAIN_COLUMNS);
            steps.lap("write_silver");
            LocalDate recomputedFrom = totals.earliestEvent().atOffset(ZoneOffset.UTC).toLocalDate();
            // A row fixed by a later event leaves the quarantine; dates older than bronze (past its retention) stay.
            long quarantinedRows = totals.broken();
            replaceQuarantine(spark, files, quarantineUri, quarantined.select(quarantineColumns()), quarantinedRows, recomputedFrom);
            steps.lap("write_quarantine");
            brokenByRule.forEach((rule, n) -> summary.put("rule_" + rule, n));
            List<String> stale = StalePartitions.find(files.partitionDirs(silverUri, PARTITION_COLUMNS.size()),
                    written.partitions(), recomputedFrom);
            stale.forEach(partition -> files.delete(silverUri + "/" + partition));
            steps.lap("stale_partitions");
            return summary
                    .put(JobReport.ROWS_IN, rowsIn)
                    .put("distinct_events", distinctEvents)
                    .put("duplicates_dropped", rowsIn - distinctEvents)
                    .put(JobReport.ROWS_OUT, written.rows())
                    .put("quarantined", quarantinedRows)
                    .put("partitions", written.partitions().size())
                    .put("stale_partitions_removed", stale.size())
                    .put(JobReport.FILES_WRITTEN, written.files())
                    .put("bytes_written", written.bytes())
                    .put("step_seconds", steps.toMap());
        } finally {
            checked.unpersist();
        }
    }

    /**
     * What the folded rows say of the events behind them, in one pass over the cached fold instead of a distinct over
     * every bronze event_id: an operation's {@code source_event_ids} are its distinct events, so their sizes add up to
     * bronze's distinct events (an event_id belongs to one operation), and the earliest {@code first_event_at} is
     * bronze's earliest event; {@code broken} operations broke a rule.
     */
    record FoldTotals(long operations, long distinctEvents, Instant earliestEvent, long broken) {
        static FoldTotals of(Dataset<Row> checked) {
            Row r = checked.agg(count(lit(1)), functions.coalesce(functions.sum(functions.size(col("source_event_ids"))), lit(0L)),
                    min("first_event_at"), count(col("broken_rules"))).first();
            return new FoldTotals(r.getLong(0), r.getLong(1), r.getAs(2), r.getLong(3));
        }
    }

    /**
     * Replaces the quarantine's date partitions present in {@code rows} (never a delete-then-write: a failed run
     * leaves the old rows), then removes the partitions it no longer has rows for; with {@code recomputedFrom},
     * only those on or after that date (older ones were not recomputed).
     */
    static void replaceQuarantine(SparkSession spark, LakeFiles files, String quarantineUri, Dataset<Row> rows, long count,
                                  LocalDate recomputedFrom) {
        List<String> before = files.partitionDirs(quarantineUri, 1);
        List<String> written = count == 0 ? List.of()
                : new ParquetSink(spark).writePartitioned(rows, quarantineUri, List.of("date")).partitions();
        LocalDate from = recomputedFrom == null ? LocalDate.MIN : recomputedFrom;
        StalePartitions.find(before, written, from).forEach(p -> files.delete(quarantineUri + "/" + p));
    }

    /** The rules broken first, then the row as silver would have held it. */
    static Column[] quarantineColumns() {
        List<Column> columns = new ArrayList<>();
        columns.add(col("broken_rules"));
        for (String name : SILVER_ROW.fieldNames()) {
            columns.add(col(name));
        }
        return columns.toArray(Column[]::new);
    }

    /** Committed bronze parts only ({@link LakeLayout#partGlob}); in-progress and hidden files are never read. */
    static Dataset<Row> readBronze(SparkSession spark, String bronzeUri) {
        return readBronze(spark, bronzeUri, LakeLayout.partGlob(bronzeUri, BRONZE_PARTITION_DEPTH));
    }

    /** The bronze parts at {@code paths} (files or globs below {@code bronzeUri}), with the date partition column. */
    static Dataset<Row> readBronze(SparkSession spark, String bronzeUri, String... paths) {
        return spark.read().schema(BRONZE_ROW).option("basePath", bronzeUri).parquet(paths);
    }

    /**
     * Silver, or its quarantine ({@code schema} {@link #CHECKED_ROW}), at {@code paths} below {@code tableUri}: the
     * schema given to the reader types the partition columns as silver writes them (inferred, client_id would come
     * back as an int) and spares the job that would infer the rest from a footer.
     */
    static Dataset<Row> readSilverShaped(SparkSession spark, StructType schema, String tableUri, String... paths) {
        return spark.read().schema(schema).option("basePath", tableUri).parquet(paths.length == 0 ? new String[] {tableUri} : paths);
    }

    /**
     * One row per operation_id with the rules it broke; the fold and the rules are the pure {@link OperationFold},
     * {@link SilverRules}. Only the columns the fold reads are shuffled, grouped on the column itself (no key
     * function that would deserialise every row before the shuffle).
     */
    static Dataset<Row> foldOperations(Dataset<Row> bronze, SilverRules.Tolerances tolerances) {
        Dataset<Row> foldColumns = bronze.select(BronzeRows.COLUMNS.stream().map(functions::col).toArray(Column[]::new));
        return foldColumns
                .groupBy(col("operation_id")).as(Encoders.LONG(), Encoders.row(foldColumns.schema()))
                .mapGroups((MapGroupsFunction<Long, Row, Row>) (operationId, rows) -> toCheckedRow(rows, tolerances),
                        Encoders.row(CHECKED_ROW));
    }

    private static Row toCheckedRow(Iterator<Row> rows, SilverRules.Tolerances tolerances) {
        List<BronzeRecord> records = new ArrayList<>();
        rows.forEachRemaining(row -> records.add(BronzeRows.toRecord(row)));
        StopExecution folded = OperationFold.fold(records);
        List<String> broken = SilverRules.broken(folded, tolerances);
        return AvroRows.toRow(folded, OperationFold.partitionDate(folded), broken.isEmpty() ? null : String.join(",", broken));
    }
}
