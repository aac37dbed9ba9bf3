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
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.deepstorage.schemas.LakeLayout;
import io.deepstorage.schemas.Schemas;
import io.deepstorage.schemas.StopOutcomeExample;
import io.deepstorage.spark.AvroRows;
import io.deepstorage.spark.JobFailedException;
import io.deepstorage.spark.JobLauncher;
import io.deepstorage.spark.JobSummary;
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
 * silver/stop_executions → gold/training_sets/stop_outcome/v&lt;version&gt;/{train,test} + _manifest.json.
 * Features and labels are the pure {@link TriggerFeatures}, {@link OutcomeLabels} and {@link TimeSplit}; this
 * class only groups the rows they need and writes the result.
 */
public final class GoldJob {
    public static final String NAME = "gold";
    public static final String DATASET = "stop_outcome";

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

    static JobSummary build(GoldConfig config, LakeConfig lake, SparkSession spark) {
        JobSummary summary = JobSummary.start(NAME).put("version", config.version()).put("as_of", config.asOf().toString());
        String silverUri = lake.resolve(LakeLayout.SILVER_STOP_EXECUTIONS);
        String versionUri = lake.resolve(LakeLayout.goldTrainingSet(DATASET, config.version()));
        String manifestUri = versionUri + "/" + GoldManifest.FILE_NAME;
        LakeFiles files = new LakeFiles(spark.sparkContext().hadoopConfiguration());

        List<LakeFiles.FileEntry> silverFiles = files.committedParts(silverUri);
        if (silverFiles.isEmpty()) {
            throw new JobFailedException("no committed silver files (part-*.parquet) under " + silverUri);
        }
        Dataset<Row> silver = readSilver(spark, silverUri).persist();
        Dataset<Row> examples = examples(silver, config).persist();
        try {
            long rowsIn = silver.count();
            List<Instant> triggers = examples.select("triggered_at").as(Encoders.INSTANT()).collectAsList();
            if (triggers.isEmpty()) {
                throw new JobFailedException("no triggered operations with a final outcome before " + config.asOf() + " in " + silverUri);
            }
            Instant cutoff = TimeSplit.cutoff(triggers, config.testFraction());
            Dataset<Row> split = examples.withColumn("split", splitOf(cutoff));
            GoldManifest.SplitCounts counts = countSplits(split);
            LabelBalance.check("train", counts.trainPositives(), counts.trainRows());
            LabelBalance.check("test", counts.testPositives(), counts.testRows());
            String contentHash = contentHash(split);
            summary.put("rows_in", rowsIn).put("examples", (long) triggers.size())
                    .put("train_rows", counts.trainRows()).put("test_rows", counts.testRows())
                    .put("purged_rows", counts.purgedRows()).put("cutoff", cutoff.toString()).put("content_hash", contentHash);

            Optional<String> existingHash = files.readText(manifestUri).flatMap(GoldManifest::contentHash);
            if (existingHash.isPresent() && existingHash.get().equals(contentHash)) {
                return summary.put("rows_out", 0L).put("files_written", 0L).put("unchanged", true)
                        .put("note", "v" + config.version() + " already holds this content; nothing written");
            }
            if (existingHash.isPresent() && !config.overwrite()) {
                throw new JobFailedException("gold " + DATASET + " v" + config.version() + " already exists with content_hash "
                        + existingHash.get() + " (this build: " + contentHash + "); pass --overwrite to replace it");
            }
            // Remove the commit marker first: a crash while rewriting must not leave a manifest over other data.
            files.delete(manifestUri);
            ParquetSink sink = new ParquetSink(spark);
            ParquetSink.WriteResult train = sink.writeWhole(rowsOf(split, TimeSplit.Split.TRAIN), versionUri + "/train");
            ParquetSink.WriteResult test = sink.writeWhole(rowsOf(split, TimeSplit.Split.TEST), versionUri + "/test");
            files.writeText(manifestUri, GoldManifest.toJson(DATASET, config, GoldManifest.codeVersion(), cutoff, counts,
                    silverUri, silverFiles, contentHash));
            return summary.put("rows_out", train.rows() + test.rows())
                    .put("files_written", train.files() + test.files() + 1)
                    .put("unchanged", false);
        } finally {
            examples.unpersist();
            silver.unpersist();
        }
    }

    static Dataset<Row> readSilver(SparkSession spark, String silverUri) {
        return spark.read()
                .option("pathGlobFilter", LakeLayout.PART_PREFIX + "-*" + LakeLayout.PART_SUFFIX)
                .option("basePath", silverUri)
                .parquet(silverUri)
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
        return functions.when(col("triggered_at").isNull().and(col("status").equalTo("FAILED")), col("first_event_at"))
                .otherwise(col("triggered_at"));
    }

    /** One example row per finished, triggered operation, with every feature and label. */
    static Dataset<Row> examples(Dataset<Row> silver, GoldConfig config) {
        Instant asOf = config.asOf();
        String version = config.version();
        Dataset<Row> volatility = silver
                .groupByKey((MapFunction<Row, String>) r -> r.getAs("symbol"), Encoders.STRING())
                .flatMapGroups((FlatMapGroupsFunction<String, Row, Row>) (symbol, rows) -> volatilityRows(rows, asOf),
                        Encoders.row(VOLATILITY_ROW));
        Dataset<Row> failures = silver
                .groupByKey((MapFunction<Row, Long>) r -> r.<Long>getAs("client_id"), Encoders.LONG())
                .flatMapGroups((FlatMapGroupsFunction<Long, Row, Row>) (client, rows) -> failureRows(rows, asOf),
                        Encoders.row(FAILURES_ROW));
        return silver.join(volatility, "operation_id").join(failures, "operation_id")
                .map((MapFunction<Row, Row>) r -> {
                    SilverOperation op = toOperation(r);
                    StopOutcomeExample example = ExampleBuilder.build(op, r.<Double>getAs("volatility_15m"),
                            r.<Integer>getAs("consecutive_failures_1h"), version, asOf);
                    return AvroRows.toRow(example, op.outcomeAt());
                }, Encoders.row(EXAMPLE_ROW));
    }

    private static Iterator<Row> volatilityRows(Iterator<Row> rows, Instant asOf) {
        List<SilverOperation> ops = operations(rows);
        List<TriggerFeatures.PricePoint> points = new ArrayList<>();
        for (SilverOperation op : ops) {
            if (op.triggeredAt() != null && op.triggerPrice() != null && op.triggeredAt().isBefore(asOf)) {
                points.add(new TriggerFeatures.PricePoint(op.operationId(), op.triggeredAt(), op.triggerPrice()));
            }
        }
        points.sort(Comparator.comparing(TriggerFeatures.PricePoint::at));
        List<Instant> times = points.stream().map(TriggerFeatures.PricePoint::at).toList();
        List<Row> out = new ArrayList<>();
        for (SilverOperation op : ops) {
            if (op.isExampleAsOf(asOf)) {
                // Only the window's slice goes to the pure function, so a busy symbol is not quadratic.
                List<TriggerFeatures.PricePoint> window = points.subList(
                        lowerBound(times, op.triggeredAt().minus(TriggerFeatures.VOLATILITY_WINDOW)), lowerBound(times, op.triggeredAt()));
                out.add(RowFactory.create(op.operationId(), TriggerFeatures.volatility15m(op.operationId(), op.triggeredAt(), window)));
            }
        }
        return out.iterator();
    }

    private static Iterator<Row> failureRows(Iterator<Row> rows, Instant asOf) {
        List<SilverOperation> ops = operations(rows);
        List<TriggerFeatures.Outcome> outcomes = new ArrayList<>();
        for (SilverOperation op : ops) {
            Instant at = op.outcomeAt();
            if (at != null && at.isBefore(asOf)) {
                outcomes.add(new TriggerFeatures.Outcome(op.operationId(), at, SilverOperation.FAILED.equals(op.status())));
            }
        }
        outcomes.sort(Comparator.comparing(TriggerFeatures.Outcome::at));
        List<Instant> times = outcomes.stream().map(TriggerFeatures.Outcome::at).toList();
        List<Row> out = new ArrayList<>();
        for (SilverOperation op : ops) {
            if (op.isExampleAsOf(asOf)) {
                List<TriggerFeatures.Outcome> window = outcomes.subList(
                        lowerBound(times, op.triggeredAt().minus(TriggerFeatures.FAILURE_WINDOW)), lowerBound(times, op.triggeredAt()));
                out.add(RowFactory.create(op.operationId(), TriggerFeatures.consecutiveFailures1h(op.operationId(), op.triggeredAt(), window)));
            }
        }
        return out.iterator();
    }

    /** Index of the first time not before {@code at}. */
    private static int lowerBound(List<Instant> sortedTimes, Instant at) {
        int index = Collections.binarySearch(sortedTimes, at);
        if (index < 0) {
            return -index - 1;
        }
        while (index > 0 && sortedTimes.get(index - 1).equals(at)) {
            index--;
        }
        return index;
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

    private static Dataset<Row> rowsOf(Dataset<Row> split, TimeSplit.Split which) {
        return split.filter(col("split").equalTo(which.name()))
                .orderBy("triggered_at", "operation_id")
                .select(EXAMPLE_COLUMNS.stream().map(functions::col).toArray(Column[]::new));
    }
}
