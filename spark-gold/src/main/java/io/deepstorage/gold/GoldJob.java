package io.deepstorage.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.deepstorage.cli.JobReport;
import io.deepstorage.schemas.LakeLayout;
import io.deepstorage.schemas.Schemas;
import io.deepstorage.schemas.SilverStatus;
import io.deepstorage.schemas.StopOutcomeExample;
import io.deepstorage.spark.AvroRows;
import io.deepstorage.spark.JobFailedException;
import io.deepstorage.spark.JobLauncher;
import io.deepstorage.spark.LakeConfig;
import io.deepstorage.spark.LakeFiles;
import io.deepstorage.spark.ParquetSink;
import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * silver/stop_executions → gold/training_sets/stop_outcome/v&lt;version&gt;/{train,test} + _manifest.json, as
 * read silver → transform → write train/test → commit the manifest. The transform is the pure
 * {@link TriggerFeatures}, {@link WindowFeatures}, {@link OutcomeLabels} and {@link TimeSplit}; this class only
 * groups the rows they need, applies them through Spark and writes the result.
 */
public final class GoldJob {
    public static final String NAME = "gold";
    public static final String DATASET = "stop_outcome";
    /** silver/stop_executions/client_id=…/date=…/part-*.parquet */
    private static final int SILVER_PARTITION_DEPTH = 2;

    private static final List<String> EXAMPLE_COLUMNS = Schemas.stopOutcomeExample().getFields().stream().map(f -> f.name()).toList();
    /** StopOutcomeExample's columns plus when the outcome became final (needed by the split, not written). */
    static final StructType EXAMPLE_ROW = AvroRows.structOf(Schemas.stopOutcomeExample(),
            DataTypes.createStructField("outcome_at", DataTypes.TimestampType, false));
    private static final StructType VOLATILITY_ROW = new StructType()
            .add("operation_id", DataTypes.LongType, false).add("volatility_15m", DataTypes.DoubleType, true);
    private static final StructType FAILURES_ROW = new StructType()
            .add("operation_id", DataTypes.LongType, false).add("consecutive_failures_1h", DataTypes.IntegerType, false);

    private GoldJob() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return JobLauncher.launch(NAME, "Builds the versioned stop_outcome training set from silver/stop_executions.",
                args, env, GoldConfig.OPTIONS, cli -> GoldConfig.from(cli, Instant.now()), GoldJob::build, out, err);
    }

    /** Where one build reads and writes. */
    record Target(String silverUri, String versionUri, String manifestUri) {
        static Target of(LakeConfig lake, String version) {
            String versionUri = lake.resolve(LakeLayout.goldTrainingSet(DATASET, version));
            return new Target(lake.resolve(LakeLayout.SILVER_STOP_EXECUTIONS), versionUri, versionUri + "/" + GoldManifest.FILE_NAME);
        }
    }

    /** The examples with their split column, and what the manifest says about them. */
    record TrainingSet(Dataset<Row> rows, long examples, Instant cutoff, GoldManifest.SplitCounts counts, String contentHash) {}

    static JobReport.Builder build(GoldConfig config, LakeConfig lake, SparkSession spark) {
        JobReport.Builder report = JobReport.start(NAME).put("version", config.version()).put("as_of", config.asOf().toString());
        Target target = Target.of(lake, config.version());
        LakeFiles files = new LakeFiles(spark.sparkContext().hadoopConfiguration());

        List<LakeLayout.Entry> silverFiles = committedSilver(files, target.silverUri());
        Dataset<Row> silver = readSilver(spark, target.silverUri()).persist();
        Dataset<Row> examples = examples(silver, config).persist();
        try {
            long rowsIn = silver.count();
            TrainingSet set = splitByTime(examples, config, target.silverUri());
            report.put(JobReport.ROWS_IN, rowsIn).put("examples", set.examples())
                    .put("train_rows", set.counts().trainRows()).put("test_rows", set.counts().testRows())
                    .put("purged_rows", set.counts().purgedRows()).put("cutoff", set.cutoff().toString())
                    .put("content_hash", set.contentHash());
            if (alreadyCommitted(files, target, config, set.contentHash())) {
                return report.put(JobReport.ROWS_OUT, 0L).put(JobReport.FILES_WRITTEN, 0L).put("unchanged", true)
                        .put("note", "v" + config.version() + " already holds this content; nothing written");
            }
            // Remove the commit marker first: a crash while rewriting must not leave a manifest over other data.
            files.delete(target.manifestUri());
            List<ParquetSink.WriteResult> written = writeTrainAndTest(spark, set, target.versionUri());
            commitManifest(files, target, config, set, silverFiles);
            return report.put(JobReport.ROWS_OUT, written.stream().mapToLong(ParquetSink.WriteResult::rows).sum())
                    .put(JobReport.FILES_WRITTEN, written.stream().mapToLong(ParquetSink.WriteResult::files).sum() + 1)
                    .put("unchanged", false);
        } finally {
            examples.unpersist();
            silver.unpersist();
        }
    }

    // ---- read silver

    private static List<LakeLayout.Entry> committedSilver(LakeFiles files, String silverUri) {
        List<LakeLayout.Entry> silverFiles = files.committedParts(silverUri);
        if (silverFiles.isEmpty()) {
            throw new JobFailedException("no committed silver files (part-*.parquet) under " + silverUri);
        }
        return silverFiles;
    }

    static Dataset<Row> readSilver(SparkSession spark, String silverUri) {
        return spark.read()
                .option("basePath", silverUri)
                .parquet(LakeLayout.partGlob(silverUri, SILVER_PARTITION_DEPTH))
                .select(col("operation_id"), col("client_id").cast("long").as("client_id"), col("symbol"), col("status"),
                        attemptAt().as("triggered_at"), col("executed_at"), col("failed_at"), col("trigger_price"), col("stop_price"),
                        col("entry_price"), col("slippage_pct"), col("source_event_ids"));
    }

    /**
     * When the stop fired: its STOP_TRIGGERED, or for a failed attempt whose trigger was rolled back with it (the
     * app then writes a lone FAILED), the operation's first recorded event, the closest known time to the trigger.
     * Without it gold would see almost only successes.
     */
    static Column attemptAt() {
        return functions.when(col("triggered_at").isNull().and(col("status").equalTo(SilverStatus.FAILED)), col("first_event_at"))
                .otherwise(col("triggered_at"));
    }

    // ---- transform

    /** One example row per finished, triggered operation, with every feature and label. */
    static Dataset<Row> examples(Dataset<Row> silver, GoldConfig config) {
        Instant asOf = config.asOf();
        String version = config.version();
        Dataset<Row> volatility = silver
                .groupByKey((MapFunction<Row, String>) r -> r.getAs("symbol"), Encoders.STRING())
                .flatMapGroups((FlatMapGroupsFunction<String, Row, Row>) (symbol, rows) ->
                        featureRows(WindowFeatures.volatility15m(operations(rows), asOf)), Encoders.row(VOLATILITY_ROW));
        Dataset<Row> failures = silver
                .groupByKey((MapFunction<Row, Long>) r -> r.<Long>getAs("client_id"), Encoders.LONG())
                .flatMapGroups((FlatMapGroupsFunction<Long, Row, Row>) (client, rows) ->
                        featureRows(WindowFeatures.consecutiveFailures1h(operations(rows), asOf)), Encoders.row(FAILURES_ROW));
        return silver.join(volatility, "operation_id").join(failures, "operation_id")
                .map((MapFunction<Row, Row>) r -> {
                    SilverOperation op = toOperation(r);
                    StopOutcomeExample example = ExampleBuilder.build(op, r.<Double>getAs("volatility_15m"),
                            r.<Integer>getAs("consecutive_failures_1h"), version, asOf);
                    return AvroRows.toRow(example, op.outcomeAt());
                }, Encoders.row(EXAMPLE_ROW));
    }

    /** The time split, its counts and the label-ratio gate, and the content hash of what would be written. */
    static TrainingSet splitByTime(Dataset<Row> examples, GoldConfig config, String silverUri) {
        List<Instant> triggers = examples.select("triggered_at").as(Encoders.INSTANT()).collectAsList();
        if (triggers.isEmpty()) {
            throw new JobFailedException("no triggered operations with a final outcome before " + config.asOf() + " in " + silverUri);
        }
        Instant cutoff = TimeSplit.cutoff(triggers, config.testFraction());
        Dataset<Row> split = examples.withColumn("split", splitOf(cutoff));
        GoldManifest.SplitCounts counts = countSplits(split);
        LabelBalance.check("train", counts.trainPositives(), counts.trainRows());
        LabelBalance.check("test", counts.testPositives(), counts.testRows());
        return new TrainingSet(split, triggers.size(), cutoff, counts, contentHash(split));
    }

    private static Iterator<Row> featureRows(Map<Long, ?> byOperation) {
        List<Row> rows = new ArrayList<>(byOperation.size());
        byOperation.forEach((operationId, value) -> rows.add(RowFactory.create(operationId, value)));
        return rows.iterator();
    }

    private static List<SilverOperation> operations(Iterator<Row> rows) {
        List<SilverOperation> ops = new ArrayList<>();
        rows.forEachRemaining(r -> ops.add(toOperation(r)));
        return ops;
    }

    static SilverOperation toOperation(Row r) {
        return new SilverOperation(
                r.<Long>getAs("operation_id"), r.<Long>getAs("client_id"), r.getAs("symbol"), r.getAs("status"),
                r.<Instant>getAs("triggered_at"), r.<Instant>getAs("executed_at"), r.<Instant>getAs("failed_at"),
                r.<BigDecimal>getAs("trigger_price"), r.<BigDecimal>getAs("stop_price"), r.<BigDecimal>getAs("entry_price"),
                r.<BigDecimal>getAs("slippage_pct"), r.getList(r.fieldIndex("source_event_ids")));
    }

    private static Column splitOf(Instant cutoff) {
        UserDefinedFunction assign = functions.udf(
                (UDF2<Instant, Instant, String>) (triggeredAt, outcomeAt) -> TimeSplit.assign(triggeredAt, outcomeAt, cutoff).name(),
                DataTypes.StringType);
        return assign.apply(col("triggered_at"), col("outcome_at"));
    }

    private static GoldManifest.SplitCounts countSplits(Dataset<Row> split) {
        Map<String, long[]> bySplit = new HashMap<>();
        for (Row r : split.groupBy("split").agg(count(lit(1)), sum(when(col("execution_success"), 1).otherwise(0))).collectAsList()) {
            bySplit.put(r.getString(0), new long[] {r.getLong(1), r.getLong(2)});
        }
        long[] none = {0, 0};
        long[] train = bySplit.getOrDefault(TimeSplit.Split.TRAIN.name(), none);
        long[] test = bySplit.getOrDefault(TimeSplit.Split.TEST.name(), none);
        long[] purged = bySplit.getOrDefault(TimeSplit.Split.PURGED.name(), none);
        return new GoldManifest.SplitCounts(train[0], train[1], test[0], test[1], purged[0]);
    }

    /** sha-256 of the kept rows in canonical order (split, operation_id), streamed to the driver. */
    private static String contentHash(Dataset<Row> split) {
        ContentHash hash = new ContentHash();
        Iterator<Row> rows = split.filter(col("split").notEqual(TimeSplit.Split.PURGED.name()))
                .orderBy("split", "operation_id").toLocalIterator();
        while (rows.hasNext()) {
            Row row = rows.next();
            List<Object> values = new ArrayList<>(EXAMPLE_COLUMNS.size());
            for (String column : EXAMPLE_COLUMNS) {
                values.add(row.get(row.fieldIndex(column)));
            }
            hash.add(row.getAs("split"), values);
        }
        return hash.hex();
    }

    // ---- write train/test

    /**
     * True when the version's manifest already holds this content (nothing to write). A version with other content
     * is refused unless {@code --overwrite} is given.
     */
    private static boolean alreadyCommitted(LakeFiles files, Target target, GoldConfig config, String contentHash) {
        Optional<String> existingHash = files.readText(target.manifestUri()).flatMap(GoldManifest::contentHash);
        if (existingHash.isPresent() && existingHash.get().equals(contentHash)) {
            return true;
        }
        if (existingHash.isPresent() && !config.overwrite()) {
            throw new JobFailedException("gold " + DATASET + " v" + config.version() + " already exists with content_hash "
                    + existingHash.get() + " (this build: " + contentHash + "); pass --overwrite to replace it");
        }
        return false;
    }

    /** train, then test, each one file in (triggered_at, operation_id) order. */
    private static List<ParquetSink.WriteResult> writeTrainAndTest(SparkSession spark, TrainingSet set, String versionUri) {
        ParquetSink sink = new ParquetSink(spark);
        return List.of(sink.writeWhole(rowsOf(set.rows(), TimeSplit.Split.TRAIN), versionUri + "/train"),
                sink.writeWhole(rowsOf(set.rows(), TimeSplit.Split.TEST), versionUri + "/test"));
    }

    private static Dataset<Row> rowsOf(Dataset<Row> split, TimeSplit.Split which) {
        return split.filter(col("split").equalTo(which.name()))
                .orderBy("triggered_at", "operation_id")
                .select(EXAMPLE_COLUMNS.stream().map(functions::col).toArray(Column[]::new));
    }

    // ---- commit manifest

    /** Written last: a version without its manifest is not committed. */
    private static void commitManifest(LakeFiles files, Target target, GoldConfig config, TrainingSet set,
                                       List<LakeLayout.Entry> silverFiles) {
        files.writeText(target.manifestUri(), GoldManifest.toJson(DATASET, config, GoldManifest.codeVersion(), set.cutoff(),
                set.counts(), target.silverUri(), silverFiles, set.contentHash()));
    }
}
